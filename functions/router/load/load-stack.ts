/**
 * The local stack (`startLocalStack`: s3rver and the router in workerd) with the stand-in worker in the gpu-worker's
 * place (instant-worker.ts) and the router's Durable Object calls counted (durable-object-call-log.ts), in a fresh
 * temporary state folder: what `npm run load` and its test run against.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../../packages/cli/src/local-stack/local-stack.ts';
import { loadOrCreateState, writeLocalStackState } from '../../../packages/cli/src/local-stack/local-stack-state.ts';
import { freePort } from '../../../packages/cli/src/local-stack/loopback-port.ts';
import { startInstantWorker } from '../../../packages/test-support/src/instant-worker.ts';
import { s3ClientFor } from '../../../packages/test-support/src/s3-server.ts';
import type { LoadTarget } from './job-creation-scenarios.ts';
import { StackLogCounter } from './stack-log-counter.ts';

/** The stand-in's connections to the store. */
const S3_SOCKETS = 256;
/** How many lines of the stack's log to keep for an error report. */
const LOG_TAIL_LINES = 40;

export interface LoadStack extends LoadTarget {
  /** The router's worker process's pid (for the load average's sake, and the curious). */
  routerPid: number;
  /** The stack's last lines, for a failure's report. */
  lastLines(): string[];
  stop(): Promise<void>;
}

/**
 * `countDurableObjectCalls`: run the tail Worker that counts them (it costs the router's workerd CPU per call, so
 * figures meant to compare throughput are taken without it).
 */
export async function startLoadStack(countDurableObjectCalls: boolean): Promise<LoadStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'stipple-load-'));
  const lines: string[] = [];
  const stackLog = new StackLogCounter();
  const cleanups: (() => Promise<unknown>)[] = [() => rm(stateDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    // The store's port chosen now, so the stand-in knows where to write before the stack starts (stack-ports.ts).
    const state = { ...loadOrCreateState(stateDir), s3Port: await freePort() };
    writeLocalStackState(stateDir, state);
    // Sockets for every job in flight: the SDK's default 50 would queue the stand-in's writes behind each other.
    const s3 = s3ClientFor(
      { endpoint: `http://127.0.0.1:${state.s3Port}` },
      { requestHandler: { httpAgent: { maxSockets: S3_SOCKETS } } },
    );
    cleanups.push(async () => s3.destroy());
    const worker = await startInstantWorker({ secret: state.workerSecret, s3 });
    cleanups.push(() => worker.stop());
    const stack = await startLocalStack({
      port: await freePort(),
      stateDir,
      providers: [{ type: 'http', id: 'instant', url: worker.url, models: ['tiny-shapes'] }],
      countDurableObjectCalls,
      log: (line) => {
        stackLog.onLine(line);
        if (lines.push(line) > LOG_TAIL_LINES) lines.shift();
      },
    });
    cleanups.push(() => stack.stop());
    const router = stack.children.find((child) => child.name === 'router');
    return {
      url: stack.url,
      admin: { url: stack.url, secret: state.adminSecret },
      worker,
      stackLog,
      routerPid: router?.pid ?? 0,
      lastLines: () => [...lines],
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`the load stack did not start; its last lines:\n${lines.join('\n')}`, { cause: error });
  }
}
