/**
 * `npm run bench:worker`: the real worker process against a real S3-protocol server (s3rver), with the default model at
 * its defaults. Prints cold start (process start to /ping ready, and to the first image), throughput and p50/p95 latency
 * at 1, 2, 4 and 8 concurrent clients, and the worker's resident memory. Batching across jobs is not built yet, so
 * these are the unbatched baseline. Options: --jobs N (per concurrency level, default 16).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signRequest } from '@stipple/jobs';
import { startS3Server } from '../../../test/support/s3-server.ts';
import { startWorker } from '../../../test/support/worker-process.ts';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '16' } } });
const jobsPerLevel = Number(values.jobs);
const SECRET = 'bench-secret-0123456789';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let counter = 0;
async function invoke(url: string): Promise<number> {
  const body = JSON.stringify({
    jobId: `bench-${process.pid}-${counter++}`,
    tenantId: 'bench',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a red circle on a blue background', seed: counter },
    output: { bucket: 'results', keyPrefix: 'bench', format: 'png' },
  });
  const headers = await signRequest({
    secret: SECRET,
    method: 'POST',
    path: '/invocations',
    body,
    timestamp: Math.floor(Date.now() / 1000),
  });
  const start = performance.now();
  const response = await fetch(`${url}/invocations`, { method: 'POST', headers, body });
  if (response.status !== 200) throw new Error(`job failed with ${response.status}: ${await response.text()}`);
  return performance.now() - start;
}

const s3 = await startS3Server({ buckets: ['results'] });
const started = performance.now();
const worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, MAX_QUEUED_JOBS: '64' });
const readyMs = performance.now() - started;
await invoke(worker.url);
const firstImageMs = performance.now() - started;
const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.child.pid}/status`, 'utf8'))?.[1]) / 1024;

console.log(
  `cold start: ready ${readyMs.toFixed(0)} ms, first image ${firstImageMs.toFixed(0)} ms; worker RSS ${rssMb.toFixed(0)} MB`,
);
console.log('clients  jobs/s   p50 ms   p95 ms');
let baseline = 0;
for (const clients of [1, 2, 4, 8]) {
  const latencies: number[] = [];
  let next = 0;
  const levelStart = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < jobsPerLevel) latencies.push(await invoke(worker.url));
    }),
  );
  const throughput = jobsPerLevel / ((performance.now() - levelStart) / 1000);
  baseline ||= throughput;
  const row = [
    String(clients).padStart(7),
    throughput.toFixed(2).padStart(7),
    percentile(latencies, 50).toFixed(0).padStart(8),
    percentile(latencies, 95).toFixed(0).padStart(8),
    `  (${(throughput / baseline).toFixed(2)}× one client)`,
  ];
  console.log(row.join(' '));
}
await worker.stop();
await s3.stop();
