import { createServer } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signRequest } from '@stipple/jobs';
import { startLocalStack } from '../../../packages/cli/src/local-stack/local-stack.ts';
import { loadOrCreateState } from '../../../packages/cli/src/local-stack/local-stack-state.ts';
import { freePort } from '../../../packages/cli/src/local-stack/loopback-port.ts';
import { createJobSenders } from './job-senders.ts';

function tree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) if (/^\d+$/.test(d)) { try { const s = readFileSync(`/proc/${d}/stat`, 'utf8'); parents.set(Number(d), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1])); } catch {} }
  const out = [root]; for (let i = 0; i < out.length; i++) for (const [p, pp] of parents) if (pp === out[i]) out.push(p);
  return out;
}
function cpuMs(pids: number[]): number { let t = 0; for (const p of pids) { try { const s = readFileSync(`/proc/${p}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); t += Number(f[11]) + Number(f[12]); } catch {} } return t * 10; }
let posts = 0;
const sink = createServer((req, res) => { posts++; req.resume(); req.on('end', () => { res.statusCode = 204; res.end(); }); });
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/cb`;
const stateDir = await mkdtemp(join(tmpdir(), 'rb-scratch-'));
const stack = await startLocalStack({ port: await freePort(), stateDir, log: () => {} });
try {
  const worker = stack.children.find((c) => c.name === 'worker')!;
  const router = stack.children.find((c) => c.name === 'router')!;
  const secret = loadOrCreateState(stateDir).workerSecret;
  const s = createJobSenders(stack.url, stack.devKey.key, worker.url, secret);
  let n = 0;
  const withCallback = async (seed: number) => {
    const body = JSON.stringify({ jobId: `cb-${n++}`, tenantId: 'bench', modelId: 'tiny-shapes', parameters: { prompt: 'a red circle on a blue background', width: 64, height: 64, steps: 4, n: 1, seed }, output: { bucket: 'stipple-outputs', keyPrefix: 'bench', format: 'png' }, progress: { url: sinkUrl, token: 'x'.repeat(32) } });
    const headers = await signRequest({ secret, method: 'POST', path: '/invocations', body, timestamp: Math.floor(Date.now() / 1000) });
    const t = performance.now();
    const r = await fetch(`${worker.url}/invocations`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
    await r.json();
    return performance.now() - t;
  };
  for (let i = 0; i < 3; i++) { await s.viaRouter(i); await s.viaWorker(i); await withCallback(i); }
  const paths = { worker: s.viaWorker, 'worker+cb': withCallback, router: (x: number) => s.viaRouter(x) } as Record<string, (n: number) => Promise<unknown>>;
  for (let round = 0; round < 2; round++) for (const [name, send] of Object.entries(paths)) for (const clients of [1, 8]) {
    const groups = { worker: tree(worker.pid), router: tree(router.pid), bench: [process.pid] };
    const before = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, cpuMs(v)]));
    posts = 0; const t0 = performance.now(); let next = 0; const N = 40;
    await Promise.all(Array.from({ length: clients }, async () => { while (next < N) await send(next++); }));
    const wall = performance.now() - t0;
    const per = Object.entries(groups).map(([k, v]) => `${k} ${((cpuMs(v) - before[k]) / N).toFixed(0)}`).join(', ');
    console.log(`${name.padEnd(10)} c${clients}: ${(N / wall * 1000).toFixed(2)} jobs/s; cpu ms/job: ${per}; callback posts/job ${(posts / N).toFixed(1)}`);
  }
} finally { await stack.stop(); sink.close(); }
