import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { describePortHolder, portHolder } from './port-holder.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

describe('portHolder', () => {
  it.runIf(process.platform === 'linux')('names the process that listens on a loopback port', async () => {
    const listening = createServer();
    server = listening;
    const port = await new Promise<number>((done) =>
      listening.listen(0, '127.0.0.1', () => done((listening.address() as { port: number }).port)),
    );
    expect(portHolder(port)).toEqual({ pid: process.pid, command: expect.stringContaining(process.execPath) });
    expect(describePortHolder(port)).toMatch(new RegExp(`^pid ${process.pid} \\(`));
  });

  it('says "another program" for a port it cannot place', () => {
    expect(portHolder(1)).toBeUndefined();
    expect(describePortHolder(1)).toBe('another program');
  });
});
