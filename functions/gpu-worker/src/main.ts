import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createThreadedOnnxSession } from '@stipple/core';
import { GenerationBatcher } from './generation-batcher.ts';
import { holdIdleConnections } from './idle-connections.ts';
import { JobSlots } from './job-slots.ts';
import { ModelRegistry } from './model-registry.ts';
import { ResultStore } from './result-store.ts';
import { RunningJobs } from './running-jobs.ts';
import { createS3Client, readS3Config } from './s3-config.ts';
import { parseS3Location, S3ModelCache } from './s3-model-cache.ts';
import { createWorkerApp } from './worker-app.ts';
import { readWorkerConfig } from './worker-config.ts';
import { resolveWorkerSecret } from './worker-secret.ts';

/**
 * The container's entry point: read the environment, open the registry and store, serve until SIGTERM. SageMaker
 * starts containers as `docker run IMAGE serve`, so `serve` is the one command (and the default).
 */
const [command = 'serve'] = process.argv.slice(2);
if (command !== 'serve') {
  process.stderr.write(`gpu-worker: unknown command "${command}"; the only command is serve\n`);
  process.exit(2);
}
const config = readWorkerConfig(process.env);
const s3 = readS3Config(process.env);
const log = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(entry)}\n`);
// Before anything loads or listens: a worker that cannot authorise jobs must not start. A failure rejects here, and
// the process exits non-zero with the error (which names the ARN and the reason), as a bad variable above does.
const secret = await resolveWorkerSecret(config.secret);
if (config.secret.kind === 'secrets-manager')
  log({ level: 'info', event: 'worker_secret_loaded', arn: config.secret.arn });
const client = createS3Client(s3);
const modelCache = new S3ModelCache(client, config.modelCacheDir);
const registry = await ModelRegistry.fromSetting(
  config.registry,
  {
    executionProviders: config.executionProviders,
    deviceId: config.deviceId,
    cpuMemoryArena: config.cpuMemoryArena,
    memoryPattern: config.memoryPattern,
    hashCacheDir: config.modelCacheDir,
    ...(config.inferenceThread && { sessionFactory: createThreadedOnnxSession }),
  },
  (uri) => modelCache.fetch(parseS3Location(uri)!),
);
registry.memoryBudgetBytes = config.modelMemoryBudgetMb * 1024 * 1024;
registry.onWeightsChecked = (modelId, { unchanged, expected, digest, ms }) =>
  log(
    unchanged
      ? { level: 'info', event: 'weights_checked', modelId, digest, ms: Math.round(ms) }
      : {
          level: 'error',
          event: 'weights_changed',
          modelId,
          expected,
          digest,
          message: `a weight file of ${modelId} changed without a new size or modification time; its records name ${expected.slice(0, 12)}… until the worker restarts`,
        },
  );
const store = new ResultStore(client, { conditionalWrites: s3.conditionalWrites });
const slots = new JobSlots(config.maxConcurrentJobs, config.maxQueuedJobs);
const jobs = new RunningJobs();
const batcher = new GenerationBatcher({
  maxBatchImages: config.maxBatchImages,
  windowMs: config.batchWindowMs,
  jobsInWorker: () => jobs.size,
  log,
});
const app = createWorkerApp({
  registry,
  store,
  slots,
  batcher,
  jobs,
  secret,
  maxRequestBodyBytes: config.maxRequestBodyBytes,
  log,
  logPrompts: config.logPrompts,
});

/** The most a drained job's response may take to go out before the process exits anyway. */
const RESPONSE_FLUSH_MS = 5_000;
void registry.preload(config.preloadModels).then(() => {
  const models = registry.list().filter((model) => config.preloadModels.includes(model.id));
  log({ level: registry.ready() ? 'info' : 'error', event: 'models_preloaded', models });
});
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  log({ level: 'info', event: 'listening', port: info.port });
});
holdIdleConnections(server as Server);

// SIGTERM (a scale-in, a deploy): stop accepting, let running jobs finish within the grace period, cancel the rest
// into a terminal state (no manifest, so their retries start clean), then exit.
process.once('SIGTERM', async () => {
  log({ level: 'info', event: 'shutting_down', inFlight: jobs.size, graceSeconds: config.shutdownGraceSeconds });
  // close() stops new connections and resolves once the last response (a drained job's included) has gone out.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await jobs.drain(config.shutdownGraceSeconds * 1000);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, RESPONSE_FLUSH_MS))]);
  await registry.release();
  log({ level: 'info', event: 'stopped' });
  process.exit(0);
});
