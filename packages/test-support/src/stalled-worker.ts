/**
 * A gpu-worker that never starts a job, speaking the worker's HTTP protocol (docs/gpu-worker.md): for the router's
 * time-to-start tests. Jobs for model `busy-shapes` are refused `503 busy` (every slot taken, as a full worker answers);
 * jobs for any other model are held as a full worker holds a queued invocation (no answer until a slot frees), until
 * `DELETE /v1/jobs/:id` cancels them (`202`; the held invocation then ends `409 canceled`). `GET /calls` lists what it
 * received, for tests to check; `PUT /health` with `{ "healthy": false }` makes `/ping` answer 503 `loading`, as a worker
 * still loading its models does.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Models the stalled worker serves: one refused as busy, one held queued. */
export const BUSY_MODEL = 'busy-shapes';
export const STALLED_MODEL = 'stalled-shapes';

export interface StalledWorkerCall {
  method: string;
  path: string;
  jobId?: string;
}

function answer(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export async function startStalledWorker(): Promise<{ url: string; stop: () => Promise<void> }> {
  const calls: StalledWorkerCall[] = [];
  const held = new Map<string, ServerResponse>();
  let healthy = true;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (method === 'GET' && path === '/calls') return answer(response, 200, calls);
    if (method === 'PUT' && path === '/health') {
      healthy = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { healthy: boolean }).healthy;
      return answer(response, 200, { healthy });
    }
    if (method === 'GET' && path === '/ping') {
      return healthy ? answer(response, 200, { status: 'ok' }) : answer(response, 503, { status: 'loading' });
    }
    if (method === 'POST' && path === '/invocations') {
      const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { jobId: string; modelId: string };
      calls.push({ method, path, jobId: job.jobId });
      if (job.modelId === BUSY_MODEL) {
        const busy = { error: { code: 'busy', message: 'every job slot is taken' } };
        return answer(response, 503, busy, { 'retry-after': '1' });
      }
      held.set(job.jobId, response);
      return;
    }
    const cancel = /^\/v1\/jobs\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && cancel) {
      const jobId = decodeURIComponent(cancel[1]);
      calls.push({ method, path, jobId });
      const invocation = held.get(jobId);
      if (!invocation) return answer(response, 404, { error: { code: 'job_not_running', message: 'not here' } });
      held.delete(jobId);
      answer(invocation, 409, { error: { code: 'canceled', message: `job ${jobId} was canceled` } });
      return answer(response, 202, { canceled: true });
    }
    answer(response, 404, { error: { code: 'not_found', message: `${method} ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const response of held.values()) response.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
