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
function cpu(p: number): number { try { const s = readFileSync(`/proc/${p}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; } catch { return 0; } }
const stateDir = await mkdtemp(join(tmpdir(), 'rb-scratch-'));
const stack = await startLocalStack({ port: await freePort(), stateDir, log: () => {} });
try {
  const worker = stack.children.find((c) => c.name === 'worker')!;
  const router = stack.children.find((c) => c.name === 'router')!;
  const s = createJobSenders(stack.url, stack.devKey.key, worker.url, loadOrCreateState(stateDir).workerSecret);
  for (let i = 0; i < 3; i++) await s.viaRouter(i);
  const pids = tree(router.pid);
  const cmd = (p: number) => readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 140);
  const before = pids.map(cpu); const N = 40;
  for (let i = 0; i < N; i++) await s.viaRouter(i);
  pids.forEach((p, i) => console.log(`${((cpu(p) - before[i]) / N).toFixed(1)} ms/job  ${p} ${cmd(p)}`));
  const t = performance.now(); for (let i = 0; i < 20; i++) { const r = await fetch(`${stack.url}/v1/usage`, { headers: { authorization: `Bearer ${stack.devKey.key}` } }); await r.text(); } console.log('GET /v1/usage ms', ((performance.now() - t) / 20).toFixed(1));
  const t2 = performance.now(); for (let i = 0; i < 20; i++) { const r = await fetch(`${stack.url}/openapi.json`); await r.text(); } console.log('GET /openapi.json ms', ((performance.now() - t2) / 20).toFixed(1));
} finally { await stack.stop(); }
