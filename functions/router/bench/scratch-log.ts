import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../../packages/cli/src/local-stack/local-stack.ts';
import { loadOrCreateState } from '../../../packages/cli/src/local-stack/local-stack-state.ts';
import { freePort } from '../../../packages/cli/src/local-stack/loopback-port.ts';
import { createJobSenders } from './job-senders.ts';
const stateDir = await mkdtemp(join(tmpdir(), 'rb-scratch-'));
const lines: string[] = [];
const stack = await startLocalStack({ port: await freePort(), stateDir, log: (l) => lines.push(`${Date.now()} ${l}`) });
try {
  const worker = stack.children.find((c) => c.name === 'worker')!;
  const s = createJobSenders(stack.url, stack.devKey.key, worker.url, loadOrCreateState(stateDir).workerSecret);
  for (let i = 0; i < 3; i++) await Promise.all([s.viaRouter(i), s.viaWorker(i)]);
  lines.length = 0;
  const t = Date.now(); console.log('send router', t);
  const r = await s.viaRouter(5); console.log(r);
  console.log(lines.join('\n')); lines.length = 0;
  console.log('send worker', Date.now());
  console.log(await s.viaWorker(5));
  console.log(lines.join('\n'));
} finally { await stack.stop(); }
