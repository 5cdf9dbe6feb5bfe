import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { relayInBatches } from './batched-relay.ts';

/** A writable that records each write it is given. */
function recorder() {
  const writes: string[] = [];
  const to = new PassThrough();
  to.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
  return { to, writes };
}

describe('relayInBatches', () => {
  it('writes what came within a batch as one write, in order, after the batch time', async () => {
    const from = new PassThrough();
    const { to, writes } = recorder();
    relayInBatches(from, to, 30);
    for (const line of ['a\n', 'b\n', 'c\n']) from.write(line);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toEqual(['a\nb\nc\n']);
    from.write('d\n');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes what is gathered at once when its source ends or when flushed', async () => {
    const from = new PassThrough();
    const { to, writes } = recorder();
    const relay = relayInBatches(from, to, 10_000);
    from.write('last words\n');
    await new Promise((resolve) => setImmediate(resolve));
    relay.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['last words\n']);
    from.end('after\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toEqual(['last words\n', 'after\n']);
  });
});
