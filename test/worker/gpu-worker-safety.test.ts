import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type ResultManifest, resultManifestSchema } from '@stipple/jobs';
import { type S3Server, s3ClientFor, startS3Server } from '@stipple/test-support/s3-server';
import { startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModel, SAFETY_CHECKER_KNOWN_IMAGES as KNOWN_IMAGES } from '../fixture-models.ts';
import { BUCKET, invoke, job, manifestOf, SECRET } from './worker-test-jobs.ts';

/**
 * The job's `safety.images` mode against a real worker and S3 server, on the fixture whose safety checker flags the
 * first image of `SAFETY_CHECKER_KNOWN_IMAGES` and not the second.
 */
const MODEL_ID = 'checked';
function safetyJob(jobId: string, safety: unknown, parameters: Record<string, unknown> = KNOWN_IMAGES) {
  return job(jobId, { modelId: MODEL_ID, parameters, ...(safety !== undefined && { safety }) });
}

describe('the gpu-worker with a model that has a safety checker', () => {
  let s3: S3Server;
  let worker: WorkerProcess;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    worker = await startWorker({
      ...s3.env,
      WORKER_SECRET: SECRET,
      MODEL_REGISTRY: JSON.stringify({ models: { [MODEL_ID]: fixtureModel('safety-checker') } }),
      PRELOAD_MODELS: MODEL_ID,
    });
    client = s3ClientFor(s3);
  });
  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
  });

  /** Every key stored under the job's folder, manifest included. */
  async function storedKeys(jobId: string): Promise<string[]> {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `jobs/acme/${jobId}/` }));
    return (listed.Contents ?? []).map((object) => object.Key!).sort();
  }

  async function run(jobBody: unknown): Promise<ResultManifest> {
    const response = await invoke(worker, jobBody);
    expect(response.status).toBe(200);
    const manifest = await manifestOf(response);
    expect(resultManifestSchema.safeParse(manifest).success).toBe(true);
    return manifest;
  }

  const checked = (flagged: boolean) => ({ checked: true, flagged, checkedBy: 'safety_checker' });

  it('flag: stores every image and reports each verdict with its scores', async () => {
    const manifest = await run(safetyJob('flag-1', { images: 'flag' }));
    expect(manifest.outputs.map((output) => [output.key, output.contentFilter])).toEqual([
      ['jobs/acme/flag-1/0.png', expect.objectContaining(checked(true))],
      ['jobs/acme/flag-1/1.png', expect.objectContaining(checked(false))],
    ]);
    expect(manifest.outputs[0].contentFilter?.scores?.concept_0).toBeGreaterThan(0);
    expect(manifest.blocked).toBeUndefined();
    expect(await storedKeys('flag-1')).toEqual([
      'jobs/acme/flag-1/0.png',
      'jobs/acme/flag-1/1.png',
      'jobs/acme/flag-1/result.json',
    ]);
  });

  it('a job without a safety mode (an older router) is checked and reported as under flag', async () => {
    const manifest = await run(safetyJob('unset-1', undefined));
    expect(manifest.outputs.map((output) => output.contentFilter?.flagged)).toEqual([true, false]);
    expect(await storedKeys('unset-1')).toHaveLength(3);
  });

  it('block: never writes the flagged image, keeps the other at its own key and lists the blocked one', async () => {
    const manifest = await run(safetyJob('block-1', { images: 'block' }));
    expect(manifest.outputs.map((output) => [output.key, output.seed, output.contentFilter])).toEqual([
      ['jobs/acme/block-1/1.png', 51, expect.objectContaining(checked(false))],
    ]);
    expect(manifest.blocked).toEqual([{ index: 0, seed: 50, contentFilter: expect.objectContaining(checked(true)) }]);
    expect(await storedKeys('block-1')).toEqual(['jobs/acme/block-1/1.png', 'jobs/acme/block-1/result.json']);
    const written = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/acme/block-1/result.json' }));
    expect(JSON.parse(await written.Body!.transformToString())).toEqual(manifest);
  });

  it('block: a job whose every image is flagged succeeds with no outputs and stores only its manifest', async () => {
    const manifest = await run(safetyJob('block-all', { images: 'block' }, { ...KNOWN_IMAGES, n: 1 }));
    expect(manifest.status).toBe('succeeded');
    expect(manifest.outputs).toEqual([]);
    expect(manifest.blocked).toEqual([{ index: 0, seed: 50, contentFilter: expect.objectContaining(checked(true)) }]);
    expect(await storedKeys('block-all')).toEqual(['jobs/acme/block-all/result.json']);
  });

  it('block: an unflagged job lists nothing as blocked', async () => {
    const manifest = await run(safetyJob('block-none', { images: 'block' }, { ...KNOWN_IMAGES, seed: 51, n: 1 }));
    expect(manifest.outputs.map((output) => output.contentFilter?.flagged)).toEqual([false]);
    expect(manifest.blocked).toEqual([]);
  });

  it('off: runs no check, stores every image and reports them as not checked', async () => {
    const manifest = await run(safetyJob('off-1', { images: 'off' }));
    expect(manifest.outputs.map((output) => output.contentFilter)).toEqual([
      { checked: false, flagged: false },
      { checked: false, flagged: false },
    ]);
    expect((manifest.records[0] as { safetyChecker: unknown }).safetyChecker).toBeNull();
    expect(await storedKeys('off-1')).toHaveLength(3);
  });

  it('a model without a checker reports its images as not checked, and block stores them', async () => {
    const manifest = await run(job('no-checker', { safety: { images: 'block' } }));
    expect(manifest.outputs.map((output) => output.contentFilter)).toEqual([
      { checked: false, flagged: false },
      { checked: false, flagged: false },
    ]);
    expect(manifest.blocked).toEqual([]);
  });
});
