/**
 * The conformance suite every `ImageProviderV1` passes (as diffusers' `SchedulerCommonTest` runs over every
 * scheduler): a job runs to a manifest whose images are really stored, a repeat is answered from that manifest, a job
 * the worker cannot run ends failed, an aborted call never starts a job, unknown options are warned about, and
 * cancellation works or says it cannot. It imports nothing from Node, so it runs in workerd as well.
 */
import {
  type EdgeStorage,
  type ImageProviderV1,
  type JobState,
  ProviderError,
  type ProviderJobHandle,
} from '@stipple/adapters';
import { type Job, jobSchema, manifestKey, resultKey } from '@stipple/jobs';
import { beforeAll, describe, expect, it } from 'vitest';

export interface ImageProviderTestContext {
  provider: ImageProviderV1;
  /** Reads what the worker stored, independently of the provider. */
  storage: EdgeStorage;
  /** The bucket jobs write to. */
  bucket: string;
  /** Unique to this run of the suite, so its jobs never meet another's. */
  keyPrefix: string;
  /**
   * Resolves once the provider's back end has finished what it was given. Needed where results are written by a test
   * server while the provider polls: s3rver 3.7 makes an object visible before its bytes are written
   * (`lib/stores/filesystem.js` `putObject` does not await its write stream), which AWS S3 and R2 never do.
   */
  settle?: () => Promise<void>;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const TERMINAL: JobState[] = ['succeeded', 'failed', 'canceled'];

/** Polls `status` until the job reaches one of `states` (or a terminal state); fails after `limitMs`. */
export async function waitForState(
  provider: ImageProviderV1,
  handle: ProviderJobHandle,
  states: JobState[],
  { settle, limitMs = 30_000 }: { settle?: () => Promise<void>; limitMs?: number } = {},
) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    await settle?.();
    const status = await provider.status({ handle });
    if (states.includes(status.state) || TERMINAL.includes(status.state)) return status;
    if (Date.now() > deadline) throw new Error(`job ${handle.jobId} is still ${status.state} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function testImageProvider(name: string, setup: () => Promise<ImageProviderTestContext>): void {
  describe(`${name} conforms to ImageProviderV1`, () => {
    let context: ImageProviderTestContext;
    beforeAll(async () => {
      context = await setup();
    });

    /** Job ids are the provider's own, as real ones are unique: suites may share one worker, which binds an id to a body. */
    function job(jobId: string, change: Partial<Job> = {}): Job {
      return jobSchema.parse({
        jobId: `${context.provider.id}-${jobId}`,
        tenantId: 'conformance',
        modelId: 'tiny-shapes',
        parameters: { prompt: 'a red circle on a blue background', steps: 4, seed: 7, n: 2 },
        output: { bucket: context.bucket, keyPrefix: context.keyPrefix, format: 'png' },
        ...change,
      });
    }

    it('declares specification v1, its provider and its id', () => {
      expect(context.provider.specificationVersion).toBe('v1');
      expect(['http', 'sagemaker-async', 'sagemaker-realtime']).toContain(context.provider.provider);
      expect(context.provider.id).toMatch(/\S/);
    });

    it('reports itself healthy and serving the default model', async () => {
      expect(await context.provider.health()).toMatchObject({ healthy: true });
      const capabilities = await context.provider.capabilities();
      expect(capabilities.models).toContain('tiny-shapes');
      expect(capabilities.maxBatch).toBeGreaterThanOrEqual(1);
      expect(capabilities.sync || capabilities.async).toBe(true);
    });

    it('runs a job to its manifest, and each listed image is stored as a PNG', async () => {
      const submitted = job('runs-1');
      const { handle, state, warnings } = await context.provider.submit({ job: submitted });
      expect(['queued', 'running', 'succeeded']).toContain(state);
      expect(warnings).toEqual([]);
      expect(handle).toMatchObject({
        providerId: context.provider.id,
        jobId: submitted.jobId,
        tenantId: 'conformance',
      });
      expect(handle.manifest).toEqual({ bucket: context.bucket, key: manifestKey(submitted) });
      expect((await waitForState(context.provider, handle, ['succeeded'], context)).state).toBe('succeeded');
      const manifest = await context.provider.result({ handle });
      expect(manifest?.jobId).toBe(submitted.jobId);
      expect(manifest?.outputs.map((output) => output.key)).toEqual([resultKey(submitted, 0), resultKey(submitted, 1)]);
      expect(manifest?.outputs.map((output) => output.seed)).toEqual([7, 8]);
      for (const output of manifest?.outputs ?? []) {
        const image = await fetch(await context.storage.presignGet({ bucket: context.bucket, key: output.key }));
        expect(image.status).toBe(200);
        const bytes = new Uint8Array(await image.arrayBuffer());
        expect(bytes.length).toBe(output.bytes);
        expect(Array.from(bytes.subarray(0, 4))).toEqual(PNG_SIGNATURE);
      }
      expect(await context.storage.readManifest(submitted)).toEqual(manifest);
    });

    it('answers a job submitted again from its manifest', async () => {
      const submitted = job('repeat-1');
      const first = await context.provider.submit({ job: submitted });
      await waitForState(context.provider, first.handle, ['succeeded'], context);
      const manifest = await context.provider.result({ handle: first.handle });
      const again = await context.provider.submit({ job: submitted });
      expect((await waitForState(context.provider, again.handle, ['succeeded'], context)).state).toBe('succeeded');
      // The same createdAt: the worker answered from the stored manifest instead of generating again.
      expect(await context.provider.result({ handle: again.handle })).toEqual(manifest);
    });

    it('ends a job for a model the worker does not serve as unknown_model, with nothing stored', async () => {
      const submitted = job('unknown-model-1', { modelId: 'not-served-here' });
      const outcome = await context.provider.submit({ job: submitted }).catch((error: unknown) => error);
      if (outcome instanceof ProviderError) {
        expect(outcome).toMatchObject({ code: 'unknown_model', neverStarted: true, isRetryable: false });
      } else {
        const { handle } = outcome as Awaited<ReturnType<ImageProviderV1['submit']>>;
        const status = await waitForState(context.provider, handle, ['failed'], context);
        expect(status).toMatchObject({ state: 'failed', failure: { code: 'unknown_model', isRetryable: false } });
        expect(status.failure?.message).toMatch(/not-served-here/);
      }
      expect(await context.storage.readManifest(submitted)).toBeUndefined();
    });

    it('refuses a call whose signal is already aborted, before anything is sent', async () => {
      const controller = new AbortController();
      controller.abort(new Error('the client went away'));
      const error = await context.provider
        .submit({ job: job('aborted-1'), abortSignal: controller.signal })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'call_aborted', neverStarted: true, providerId: context.provider.id });
    });

    it('warns about a provider option it does not know, naming it, and still runs the job', async () => {
      const providerOptions = {
        [context.provider.provider]: { notAnOption: 1 },
        'another-provider': { ignored: true },
      };
      const { handle, warnings } = await context.provider.submit({ job: job('options-1'), providerOptions });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ type: 'unsupported-option' });
      expect(warnings[0].message).toContain(`providerOptions.${context.provider.provider}.notAnOption`);
      expect((await waitForState(context.provider, handle, ['succeeded'], context)).state).toBe('succeeded');
    });

    it('cancels a running job so that it writes no manifest, or says it cannot cancel', async () => {
      const capabilities = await context.provider.capabilities();
      if (!capabilities.cancel) {
        const handle = {
          providerId: context.provider.id,
          jobId: 'cancel-1',
          tenantId: 'conformance',
          manifest: { bucket: context.bucket, key: 'none' },
        };
        const outcome = await context.provider.cancel({ handle });
        expect(outcome.canceled).toBe(false);
        expect(outcome.warnings[0]).toMatchObject({ type: 'unsupported-operation' });
        return;
      }
      const submitted = job('cancel-1', { parameters: { prompt: 'a cat', steps: 500, seed: 1 } });
      const { handle } = await context.provider.submit({ job: submitted });
      await waitForState(context.provider, handle, ['running']);
      expect(await context.provider.cancel({ handle })).toEqual({ canceled: true, warnings: [] });
      expect((await waitForState(context.provider, handle, ['canceled'])).state).toBe('canceled');
      expect(await context.provider.result({ handle })).toBeUndefined();
      expect(await context.storage.readManifest(submitted)).toBeUndefined();
    });
  });
}
