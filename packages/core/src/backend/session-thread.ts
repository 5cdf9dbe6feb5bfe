import { Worker } from 'node:worker_threads';
import { ModelError } from '../errors.ts';
import type { ModelSession, SessionFactory, Tensor } from './model-session.ts';
import {
  type CreatedSession,
  deserializeError,
  type SessionThreadRequest,
  type SessionThreadResponse,
} from './session-thread-protocol.ts';

/**
 * The thread runs the TypeScript sources as the rest of Stipple does, through tsx (its entry says how). It inherits
 * none of the process's flags: a parent's `--import` preloads (the local stack's, say) are not the thread's business.
 */
const THREAD_ENTRY = new URL('./session-thread-boot.cjs', import.meta.url);

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Request = SessionThreadRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * The process's one inference thread. It is kept referenced only while a call is in flight, so an idle engine never
 * holds the process open. If it dies (a native crash), every call in flight fails and the next call starts a new one;
 * sessions opened in the dead thread are gone, and runs on them fail naming that.
 */
class SessionThread {
  private readonly worker = new Worker(THREAD_ENTRY, { execArgv: [] });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  alive = true;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (response: SessionThreadResponse) => {
      const call = this.pending.get(response.id);
      if (!call) return;
      this.pending.delete(response.id);
      if (this.pending.size === 0) this.worker.unref();
      if (response.ok) call.resolve(response.value);
      else call.reject(deserializeError(response.error));
    });
    const stop = (error: Error) => {
      this.alive = false;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (error) => stop(new Error(`the inference thread failed: ${error.message}`)));
    this.worker.on('exit', (code) => stop(new Error(`the inference thread exited with code ${code}`)));
  }

  call(request: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }
}

let thread: SessionThread | undefined;
let nextSessionId = 1;

function currentThread(): SessionThread {
  if (!thread?.alive) thread = new SessionThread();
  return thread;
}

/**
 * Sessions that live in one inference thread per process: opening a model and `session.run` (synchronous native
 * calls in onnxruntime-node) no longer block the caller's event loop, so a server stays responsive (`/ping`,
 * progress, cancellation) while it generates. Feeds are copied to the thread (the engine reuses them across steps);
 * outputs come back without a copy. Errors keep their class and code (`out_of_memory`, `invalid_execution_provider`,
 * `execution_provider_unavailable`).
 */
export const createThreadedOnnxSession: SessionFactory = async (modelPath, options) => {
  const owner = currentThread();
  const sessionId = nextSessionId++;
  // Only the options the thread needs cross over (a caller's other fields, a session factory say, cannot be cloned).
  const { executionProviders, intraOpThreads, interOpThreads, deviceId, cpuMemoryArena, memoryPattern } = options;
  const created = (await owner.call({
    op: 'create',
    sessionId,
    modelPath,
    options: { executionProviders, intraOpThreads, interOpThreads, deviceId, cpuMemoryArena, memoryPattern },
  })) as CreatedSession;
  const checkOwner = () => {
    if (owner.alive) return;
    throw new ModelError(
      'inference_thread_lost',
      `the inference thread holding ${modelPath} stopped; load the model again`,
      { file: modelPath },
    );
  };
  return {
    inputs: created.inputs,
    outputs: created.outputs,
    executionProviders: created.executionProviders,
    providerFallbacks: created.providerFallbacks,
    async run(feeds) {
      checkOwner();
      return (await owner.call({ op: 'run', sessionId, feeds })) as Record<string, Tensor>;
    },
    async release() {
      if (owner.alive) await owner.call({ op: 'release', sessionId });
    },
  } satisfies ModelSession;
};
