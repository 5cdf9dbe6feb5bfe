import {
  EdgeStorage,
  HttpProvider,
  type PoolLogEntry,
  ProviderPool,
  SageMakerAsyncProvider,
  SageMakerRealtimeProvider,
} from '@stipple/adapters';
import { jobSchema } from '@stipple/jobs';
import { testImageProvider } from '@stipple/test-support/test-image-provider';
import { describe, expect, inject, it } from 'vitest';
import { AWS_CREDENTIALS, BUCKET, REGION, S3_CREDENTIALS, WORKER_SECRET } from './fixture.ts';

const storage = () => new EdgeStorage({ endpoint: inject('s3Endpoint'), credentials: S3_CREDENTIALS });
const sageMaker = (endpointName: string) => ({
  endpointName,
  region: REGION,
  credentials: AWS_CREDENTIALS,
  runtimeUrl: inject('sageMakerUrl'),
  apiUrl: inject('sageMakerUrl'),
  models: ['tiny-shapes'],
  workerSecret: WORKER_SECRET,
  storage: storage(),
});

describe('the test runtime', () => {
  it('is workerd, not Node', () => {
    // The pool's runner adds nodejs_compat for itself; the user agent is workerd's own.
    expect((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent).toBe('Cloudflare-Workers');
  });
});

testImageProvider('in workerd, the http provider against a real gpu-worker', async () => ({
  provider: new HttpProvider({ id: 'worker', url: inject('workerUrl'), secret: WORKER_SECRET, storage: storage() }),
  storage: storage(),
  bucket: BUCKET,
  keyPrefix: 'workerd-http',
}));

testImageProvider('in workerd, the sagemaker-async provider against the SageMaker contract server', async () => ({
  provider: new SageMakerAsyncProvider(sageMaker('stipple-async')),
  storage: storage(),
  bucket: BUCKET,
  keyPrefix: 'workerd-async',
  settle: async () => {
    await (await fetch(inject('settleUrl'))).text();
  },
}));

testImageProvider('in workerd, the sagemaker-realtime provider against the SageMaker contract server', async () => ({
  provider: new SageMakerRealtimeProvider(sageMaker('stipple-realtime')),
  storage: storage(),
  bucket: BUCKET,
  keyPrefix: 'workerd-realtime',
}));

describe('in workerd, the provider pool', () => {
  const job = (jobId: string) =>
    jobSchema.parse({
      jobId,
      tenantId: 'edge',
      modelId: 'tiny-shapes',
      parameters: { prompt: 'a red circle', steps: 4, seed: 1 },
      output: { bucket: BUCKET, keyPrefix: 'workerd-pool' },
    });
  // Port 1 refuses connections on loopback; workerd reports it as "Network connection lost", with no socket code.
  const dead = () => new HttpProvider({ id: 'dead', url: 'http://127.0.0.1:1', secret: WORKER_SECRET });
  const live = () =>
    new HttpProvider({ id: 'live', url: inject('workerUrl'), secret: WORKER_SECRET, storage: storage() });
  /** A pool preferring the dead provider to the live one, and its decisions. */
  function deadThenLive() {
    const log: PoolLogEntry[] = [];
    const providers = [
      { provider: dead(), priority: 0, models: ['tiny-shapes'] },
      { provider: live(), priority: 1, models: ['tiny-shapes'] },
    ];
    return { pool: new ProviderPool({ providers, log: (entry) => log.push(entry) }), log };
  }

  it('reports a refused connection as possibly started: workerd gives no proof that nothing was sent', async () => {
    const { pool, log } = deadThenLive();
    const submission = await pool.submit(job('edge-unknown-1'));
    expect(submission).toMatchObject({ state: 'unknown', handle: { providerId: 'dead' } });
    expect(submission.error).toMatchObject({ code: 'provider_unreachable', neverStarted: false });
    expect(log.some((entry) => entry.event === 'failover')).toBe(false);
  });

  it('keeps jobs off a provider its health check found down, and sends them to a healthy one', async () => {
    const { pool, log } = deadThenLive();
    const health = await pool.checkHealth();
    expect(health.dead.healthy).toBe(false);
    expect(health.live).toEqual({ healthy: true, detail: 'ready' });
    const submission = await pool.submit(job('edge-healthy-1'));
    expect(submission.handle.providerId).toBe('live');
    expect(log).toContainEqual(
      expect.objectContaining({
        event: 'provider_skipped',
        jobId: 'edge-healthy-1',
        providerId: 'dead',
        reason: 'unhealthy',
      }),
    );
  });
});
