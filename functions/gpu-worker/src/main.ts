import { serve } from '@hono/node-server';
import { JobSlots } from './job-slots.ts';
import { ModelRegistry } from './model-registry.ts';
import { ResultStore } from './result-store.ts';
import { createS3Client, readS3Config } from './s3-config.ts';
import { createWorkerApp } from './worker-app.ts';
import { readWorkerConfig } from './worker-config.ts';

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
const registry = await ModelRegistry.fromFile(config.registryPath, { executionProviders: config.executionProviders });
const store = new ResultStore(createS3Client(s3), { conditionalWrites: s3.conditionalWrites });
const slots = new JobSlots(config.maxConcurrentJobs, config.maxQueuedJobs);
const app = createWorkerApp({ registry, store, slots, secret: config.secret });

const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, (info) => {
  process.stdout.write(`${JSON.stringify({ level: 'info', event: 'listening', port: info.port })}\n`);
});

process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ level: 'info', event: 'shutting_down' })}\n`);
  server.close(() => {
    registry.release().finally(() => process.exit(0));
  });
});
