import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JobEvent, jobEventSchema, verifyRequest } from '@stipple/jobs';

/** The token every job's callback is signed with in these tests. */
export const CALLBACK_TOKEN = 'test-callback-token-0123';
/** How long `until` waits for an event. */
const WAIT_LIMIT_MS = 30_000;

/** A job's callback receiver, as the router's event route is: it takes only requests signed with the job's token. */
export async function startReceiver() {
  const events: JobEvent[] = [];
  const rejected: string[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', async () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const headers = request.headers as Record<string, string>;
      // The path as sent, query included, as the signature covers it.
      const signedPath = request.url ?? '/';
      const verdict = await verifyRequest({ secret: CALLBACK_TOKEN, method: 'POST', path: signedPath, body, headers });
      if (!verdict.ok) {
        rejected.push(path);
        return void response.writeHead(401).end();
      }
      events.push(jobEventSchema.parse(JSON.parse(body)));
      for (const wake of waiters.splice(0)) wake();
      response.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const eventsOf = (jobId: string) => events.filter((event) => event.jobId === jobId);
  return {
    rejected,
    eventsOf,
    callback: (jobId: string) => ({ url: `http://127.0.0.1:${port}/jobs/${jobId}/events`, token: CALLBACK_TOKEN }),
    /** Resolves with the first event for `jobId` with `status`; fails after `WAIT_LIMIT_MS`. */
    async until(jobId: string, status: JobEvent['status']): Promise<JobEvent> {
      const deadline = Date.now() + WAIT_LIMIT_MS;
      for (;;) {
        const found = eventsOf(jobId).find((event) => event.status === status);
        if (found) return found;
        if (Date.now() > deadline) {
          const heard = eventsOf(jobId).map((event) => event.status);
          throw new Error(`no ${status} event for job ${jobId} within ${WAIT_LIMIT_MS} ms; heard ${heard.join(', ')}`);
        }
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 100);
        });
      }
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
