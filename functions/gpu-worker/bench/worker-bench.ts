/**
 * `npm run bench:worker`: the real worker process against a real S3-protocol server (s3rver), with the default model at
 * its defaults. Prints cold start (process start to /ping ready, and to the first image), throughput and p50/p95 latency
 * at 1, 2, 4 and 8 concurrent clients with dynamic batching off (`MAX_BATCH_IMAGES=1`) and on (the defaults), the
 * on/off throughput ratio per level, and memory: the worker's RSS with no model loaded and with the default model.
 * Then the inference thread (`INFERENCE_THREAD`): with it and without, a steady load of 4 clients at 256²: throughput
 * and the thread/main ratio (goal: within 3 %), then the same load while `/ping` is asked every 20 ms: its p50/p99
 * (goal p99 ≤ 50 ms).
 * Options: --jobs N (per concurrency level, default 32), --ping-jobs N (per inference-thread mode, default 24).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signRequest } from '@stipple/jobs';
import { startS3Server } from '@stipple/test-support/s3-server';
import { pingOnOwnConnection, startWorker } from '@stipple/test-support/worker-process';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '32' }, 'ping-jobs': { type: 'string', default: '24' } },
});
const jobsPerLevel = Number(values.jobs);
const SECRET = 'bench-secret-0123456789';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let counter = 0;
async function invoke(url: string, size?: number): Promise<number> {
  const body = JSON.stringify({
    jobId: `bench-${process.pid}-${counter++}`,
    tenantId: 'bench',
    modelId: 'tiny-shapes',
    parameters: {
      prompt: 'a red circle on a blue background',
      seed: counter,
      ...(size !== undefined && { width: size, height: size }),
    },
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

function rssMb(pid: number | undefined): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

/** Closed-loop clients: each sends its next job when the last one is answered. */
async function level(url: string, clients: number, jobs = jobsPerLevel, size?: number) {
  const latencies: number[] = [];
  let next = 0;
  const levelStart = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < jobs) latencies.push(await invoke(url, size));
    }),
  );
  const throughput = jobs / ((performance.now() - levelStart) / 1000);
  return { throughput, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

const s3 = await startS3Server({ buckets: ['results'] });
const empty = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, PRELOAD_MODELS: '' });
const emptyRss = rssMb(empty.child.pid);
await empty.stop();

const CLIENTS = [1, 2, 4, 8];
const results: Record<string, Awaited<ReturnType<typeof level>>[]> = {};
for (const [mode, env] of [
  ['off', { MAX_BATCH_IMAGES: '1' }],
  ['on', {}],
] as const) {
  const started = performance.now();
  const worker = await startWorker({ ...s3.env, ...env, WORKER_SECRET: SECRET, MAX_QUEUED_JOBS: '64' });
  const readyMs = performance.now() - started;
  await invoke(worker.url);
  const firstImageMs = performance.now() - started;
  const rss = rssMb(worker.child.pid);
  console.log(
    `batching ${mode}: cold start ready ${readyMs.toFixed(0)} ms, first image ${firstImageMs.toFixed(0)} ms; ` +
      `RSS ${rss.toFixed(0)} MB (${emptyRss.toFixed(0)} MB with no model loaded: ${(rss - emptyRss).toFixed(0)} MB for the model)`,
  );
  results[mode] = [];
  for (const clients of CLIENTS) results[mode].push(await level(worker.url, clients));
  await worker.stop();
}
console.log('clients | off jobs/s  p50  p95 | on jobs/s  p50  p95 | on/off');
for (const [i, clients] of CLIENTS.entries()) {
  const [off, on] = [results.off[i], results.on[i]];
  const cells = (r: typeof off) =>
    `${r.throughput.toFixed(2).padStart(10)} ${r.p50.toFixed(0).padStart(4)} ${r.p95.toFixed(0).padStart(4)}`;
  console.log(
    `${String(clients).padStart(7)} | ${cells(off)} | ${cells(on)} | ${(on.throughput / off.throughput).toFixed(2)}×`,
  );
}

/** `/ping` every 20 ms, each on a connection of its own, while `load` runs; the time each took. */
async function pingsDuring(url: string, load: Promise<unknown>): Promise<number[]> {
  const pings: number[] = [];
  let loading = true;
  const finished = load.finally(() => {
    loading = false;
  });
  while (loading) {
    const start = performance.now();
    await pingOnOwnConnection(url);
    pings.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await finished;
  return pings;
}

/** Throughput with no one pinging (the pings' own load would favour the mode that answers fewer), then `/ping`. */
async function pingUnderLoad(url: string, jobs: number) {
  const { throughput } = await level(url, 4, jobs, PING_LOAD_SIZE);
  const pings = await pingsDuring(url, level(url, 4, jobs, PING_LOAD_SIZE));
  return { throughput, p50: percentile(pings, 50), p99: percentile(pings, 99), pings: pings.length };
}

const PING_LOAD_SIZE = 256;
const pingJobs = Number(values['ping-jobs']);
const threadModes: Record<string, Awaited<ReturnType<typeof pingUnderLoad>>> = {};
for (const [mode, env] of [
  ['main thread', { INFERENCE_THREAD: 'false' }],
  ['inference thread', {}],
] as const) {
  const worker = await startWorker({ ...s3.env, ...env, WORKER_SECRET: SECRET, MAX_QUEUED_JOBS: '64' });
  await invoke(worker.url, PING_LOAD_SIZE);
  threadModes[mode] = await pingUnderLoad(worker.url, pingJobs);
  await worker.stop();
}
console.log(`inference thread, 4 clients at ${PING_LOAD_SIZE}², ${pingJobs} jobs | jobs/s | /ping p50 p99 (ms, n)`);
for (const [mode, r] of Object.entries(threadModes)) {
  console.log(
    `${mode.padEnd(16)} | ${r.throughput.toFixed(2).padStart(6)} | ${r.p50.toFixed(1).padStart(6)} ${r.p99.toFixed(1).padStart(7)} (${r.pings})`,
  );
}
const ratio = threadModes['inference thread'].throughput / threadModes['main thread'].throughput;
console.log(`thread/main throughput ${ratio.toFixed(3)} (goal within 3 %); /ping p99 goal ≤ 50 ms`);
await s3.stop();
