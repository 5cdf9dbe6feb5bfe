import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CALLBACK_IDLE_CONNECTION_MS, callbackFetch } from '../../functions/gpu-worker/src/callback-fetch.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the worker’s callback connections (callback-fetch.ts)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('reuse a connection while events flow, and close it idle before a receiver closing at 5 s would', async () => {
    const sockets: { socket: Socket; closedAt?: number }[] = [];
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    // The receiver itself would hold an idle connection a minute: only the worker can have closed it.
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => {
      const entry: { socket: Socket; closedAt?: number } = { socket };
      sockets.push(entry);
      socket.on('close', () => {
        entry.closedAt = Date.now();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/internal/jobs/job_1/events`;
    const post = async () => {
      const response = await callbackFetch(url, { method: 'POST', body: '{"status":"running"}' });
      expect(await response.text()).toBe('ok');
    };

    for (let event = 0; event < 3; event++) {
      await post();
      await sleep(100);
    }
    expect(sockets).toHaveLength(1);

    const idleSince = Date.now();
    await sleep(CALLBACK_IDLE_CONNECTION_MS + 1_000);
    expect(sockets[0]?.closedAt).toBeDefined();
    expect((sockets[0]?.closedAt ?? 0) - idleSince).toBeLessThan(5_000);

    await post();
    expect(sockets).toHaveLength(2);
  }, 10_000);
});
