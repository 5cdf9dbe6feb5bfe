import { createServer } from 'node:net';

/** Binds 127.0.0.1:`port` for a moment: the port it got (a free one for 0), or undefined when it is taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return (await tryListen(0)) as number;
}

/** Whether nothing listens on 127.0.0.1:`port` now. */
export async function portIsFree(port: number): Promise<boolean> {
  return (await tryListen(port)) !== undefined;
}
