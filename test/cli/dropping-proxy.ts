import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DroppingProxy {
  url: string;
  /** The `Idempotency-Key` of every `POST /v1/jobs` that came through, in order. */
  submissions: (string | undefined)[];
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the router that loses the answer to the first `POST /v1/jobs`: the router
 * receives and runs it, then the client's connection is cut before the answer reaches it, as when a network drops.
 * Everything else (event streams included) passes through as it comes.
 */
export async function startDroppingProxy(upstream: string): Promise<DroppingProxy> {
  const submissions: (string | undefined)[] = [];
  const target = new URL(upstream);
  const server = createServer((request, response) => {
    const isSubmission = request.method === 'POST' && request.url === '/v1/jobs';
    if (isSubmission) submissions.push(request.headers['idempotency-key'] as string | undefined);
    const upstreamRequest = forward(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (answer) => {
        if (isSubmission && submissions.length === 1) {
          answer.resume();
          answer.once('end', () => request.socket.destroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstreamRequest.once('error', () => request.socket.destroy());
    request.pipe(upstreamRequest);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    submissions,
    stop: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}
