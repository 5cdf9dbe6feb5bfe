import { mkdtemp } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
function cpuMs(pids: number[]): number { let t = 0; for (const p of pids) { try { const s = readFileSync(`/proc/${p}/stat`, 'utf8').slice(0); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); t += Number(f[11]) + Number(f[12]); } catch {} } return t * 10; }
const stateDir = await mkdtemp(join(tmpdir(), 'rb-scratch-'));
const stack = await startLocalStack({ port: await freePort(), stateDir, log: () => {} });
try {
  const worker = stack.children.find((c) => c.name === 'worker')!;
  const router = stack.children.find((c) => c.name === 'router')!;
  const s = createJobSenders(stack.url, stack.devKey.key, worker.url, loadOrCreateState(stateDir).workerSecret);
  for (let i = 0; i < 3; i++) await Promise.all([s.viaRouter(i), s.viaWorker(i)]);
  const rt = tree(router.pid); console.log('router tree', rt.map((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim()));
  for (const [name, send] of [['worker', s.viaWorker], ['router', s.viaRouter], ['worker', s.viaWorker], ['router', s.viaRouter]] as const) {
    for (const clients of [1, 8]) {
      const groups = { worker: tree(worker.pid), router: tree(router.pid), bench: [process.pid] };
      const before = Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, cpuMs(v)]));
      const t0 = performance.now(); let next = 0; const N = 48;
      await Promise.all(Array.from({ length: clients }, async () => { while (next < N) await (send as (n: number) => Promise<unknown>)(next++); }));
      const wall = performance.now() - t0;
      const per = Object.entries(groups).map(([k, v]) => `${k} ${((cpuMs(v) - before[k]) / N).toFixed(0)}`).join(', ');
      console.log(`${name} c${clients}: ${(N / wall * 1000).toFixed(2)} jobs/s, wall/job ${(wall / N).toFixed(0)} ms; cpu ms per job: ${per}`);
    }
  }
} finally { await stack.stop(); }
