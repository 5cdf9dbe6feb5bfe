/**
 * A moderation endpoint speaking OpenAI's `POST /v1/moderations` (API reference, "Moderations": `{ input, model? }` →
 * `{ id, model, results: [{ flagged, categories, category_scores }] }`), for the router's prompt moderation tests. What
 * it answers depends on the input, so tests running side by side need no shared state:
 *
 * - a word `violent` in it: flagged, category `violence`;
 * - `[slow:MS]`: the answer (not flagged) comes after MS milliseconds, for timeouts;
 * - `[status:NNN]`: that HTTP status with an OpenAI error envelope;
 * - `[garbage]`: a 200 whose body is not a moderation result;
 * - anything else: not flagged, with every category's low score.
 *
 * `GET /requests` lists what it received (method, path, authorization header, body), for tests to check the request.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModerationRequestSeen {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

/** OpenAI's moderation categories, the ones the fake reports (a subset of omni-moderation's). */
const CATEGORIES = ['harassment', 'hate', 'self-harm', 'sexual', 'violence'] as const;

function answer(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function moderationResult(input: string, model: string) {
  const violent = /\bviolent\b/i.test(input);
  const categories = Object.fromEntries(CATEGORIES.map((category) => [category, violent && category === 'violence']));
  const scores = Object.fromEntries(
    CATEGORIES.map((category) => [category, violent && category === 'violence' ? 0.97 : 0.0012]),
  );
  return {
    id: `modr-${Math.random().toString(16).slice(2, 10)}`,
    model,
    results: [{ flagged: violent, categories, category_scores: scores }],
  };
}

export async function startModerationServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const received: ModerationRequestSeen[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'GET' && path === '/requests') return answer(response, 200, received);
    let body: { input?: unknown; model?: unknown } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      // Answered below as OpenAI answers a body it cannot read.
    }
    received.push({
      method: request.method ?? '',
      path,
      authorization: request.headers.authorization ?? null,
      body,
    });
    if (request.method !== 'POST' || path !== '/v1/moderations') {
      return answer(response, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error' } });
    }
    if (typeof body.input !== 'string') {
      return answer(response, 400, { error: { message: 'input is required', type: 'invalid_request_error' } });
    }
    const input = body.input;
    const status = /\[status:(\d{3})\]/.exec(input);
    if (status) {
      return answer(response, Number(status[1]), { error: { message: 'scripted failure', type: 'server_error' } });
    }
    if (input.includes('[garbage]')) return answer(response, 200, { object: 'not a moderation' });
    const slow = /\[slow:(\d+)\]/.exec(input);
    if (slow) await new Promise((resolve) => setTimeout(resolve, Number(slow[1])));
    const model = typeof body.model === 'string' ? body.model : 'omni-moderation-latest';
    if (!response.destroyed) answer(response, 200, moderationResult(input, model));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
