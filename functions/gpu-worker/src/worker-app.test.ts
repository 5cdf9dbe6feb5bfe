import { S3Client } from '@aws-sdk/client-s3';
import { signRequest } from '@stipple/jobs';
import { describe, expect, it } from 'vitest';
import { GenerationBatcher } from './generation-batcher.ts';
import { JobSlots } from './job-slots.ts';
import { ModelRegistry } from './model-registry.ts';
import { ResultStore } from './result-store.ts';
import { RunningJobs } from './running-jobs.ts';
import { createWorkerApp } from './worker-app.ts';

function appWith(registry: ModelRegistry, now?: () => number) {
  return createWorkerApp({
    registry,
    store: new ResultStore(new S3Client({ region: 'us-east-1' }), { conditionalWrites: true }),
    slots: new JobSlots(1, 0),
    batcher: new GenerationBatcher({ maxBatchImages: 1, windowMs: 0 }),
    jobs: new RunningJobs(),
    secret: 'unit-test-secret-0123',
    maxRequestBodyBytes: 256 * 1024,
    log: () => {},
    now,
  });
}

describe('GET /ping', () => {
  it('is 503 with the models state until the preloaded models are in, 200 after', async () => {
    const fixture = new URL('../../../test/fixtures/models/sd15-int32', import.meta.url).pathname;
    const registry = new ModelRegistry(
      new Map([
        ['fixture', fixture],
        ['missing', '/nonexistent/model'],
      ]),
    );
    const app = appWith(registry);
    const loading = registry.preload(['fixture']);
    expect((await app.request('/ping')).status).toBe(503);
    await loading;
    expect((await app.request('/ping')).status).toBe(200);

    await registry.preload(['fixture', 'missing']);
    const response = await app.request('/ping');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { models: { id: string; state: string }[] };
    expect(body.models.find((model) => model.id === 'missing')?.state).toBe('failed');
    await registry.release();
  });
});

describe('POST /invocations signature window', () => {
  it("accepts a job signed long ago until the job's own deadline, as SageMaker's async queue needs", async () => {
    const fixture = new URL('../../../test/fixtures/models/sd15-int32', import.meta.url).pathname;
    const registry = new ModelRegistry(new Map([['tiny-shapes', fixture]]));
    const signedAt = 1_800_000_000;
    const now = (signedAt + 3_000) * 1000;
    const app = appWith(registry, () => now);
    const send = async (deadline: string | undefined) => {
      const body = JSON.stringify({
        jobId: 'j',
        tenantId: 't',
        modelId: 'tiny-shapes',
        parameters: { prompt: 'x' },
        output: { bucket: 'results', keyPrefix: '', format: 'png' },
        ...(deadline && { deadline }),
      });
      const headers = await signRequest({
        secret: 'unit-test-secret-0123',
        method: 'POST',
        path: '/invocations',
        body,
        timestamp: signedAt,
      });
      return app.request('/invocations', { method: 'POST', headers, body });
    };
    expect((await send(undefined)).status).toBe(401);
    expect((await send(new Date((signedAt + 2_000) * 1000).toISOString())).status).toBe(401);
    // Within the deadline the signature holds; the job then fails for its own reason (no store reachable here).
    const response = await send(new Date((signedAt + 3_600) * 1000).toISOString());
    expect(response.status).not.toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/^storage_/);
  });
});
