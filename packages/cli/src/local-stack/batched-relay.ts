import type { Readable, Writable } from 'node:stream';

/**
 * How long the relay gathers a child's output before it writes it on, ms: on the local stack workerd writes one line
 * per request, and relaying each line as it came cost the router's Node process, and the stack's reading it, a pipe
 * wake-up per request (~40 µs each on the 2-core dev machine, measured with `npm run load`'s floor: docs/SCALE.md).
 * A person reading the log sees no 20 ms delay.
 */
export const RELAY_BATCH_MS = 20;

/** Copies `from` to `to` in batches of at most `batchMs`; `flush()` writes what is gathered at once (before exiting). */
export function relayInBatches(from: Readable, to: Writable, batchMs = RELAY_BATCH_MS): { flush(): void } {
  let gathered: Buffer[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (gathered.length === 0) return;
    to.write(Buffer.concat(gathered));
    gathered = [];
  };
  from.on('data', (chunk: Buffer | string) => {
    gathered.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    timer ??= setTimeout(flush, batchMs);
  });
  from.on('end', flush);
  return { flush };
}
