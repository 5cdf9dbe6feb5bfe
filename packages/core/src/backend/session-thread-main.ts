/**
 * The inference thread's side of `session-thread.ts`: it owns every ONNX Runtime session of the process, so session
 * creation and `session.run` (synchronous native calls in onnxruntime-node) block this thread, never the caller's.
 * Requests come one message each and are answered by id; outputs travel back transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import type { ModelSession } from './model-session.ts';
import { createOnnxSession } from './onnx-session.ts';
import { type SessionThreadRequest, type SessionThreadResponse, serializeError } from './session-thread-protocol.ts';

const port = parentPort!;
const sessions = new Map<number, ModelSession>();

async function handle(request: SessionThreadRequest): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  switch (request.op) {
    case 'create': {
      const session = await createOnnxSession(request.modelPath, request.options);
      sessions.set(request.sessionId, session);
      const { inputs, outputs, executionProviders, providerFallbacks } = session;
      return { value: { inputs, outputs, executionProviders, providerFallbacks }, transfer: [] };
    }
    case 'run': {
      const outputs = await sessions.get(request.sessionId)!.run(request.feeds);
      const transfer = Object.values(outputs).map((tensor) => tensor.data.buffer as ArrayBuffer);
      return { value: outputs, transfer: [...new Set(transfer)] };
    }
    case 'release': {
      const session = sessions.get(request.sessionId);
      sessions.delete(request.sessionId);
      await session?.release();
      return { value: undefined, transfer: [] };
    }
  }
}

port.on('message', (request: SessionThreadRequest) => {
  handle(request).then(
    ({ value, transfer }) =>
      port.postMessage({ id: request.id, ok: true, value } satisfies SessionThreadResponse, transfer),
    (error: unknown) =>
      port.postMessage({ id: request.id, ok: false, error: serializeError(error) } satisfies SessionThreadResponse),
  );
});
