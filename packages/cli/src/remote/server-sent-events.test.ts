import { describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from './server-sent-events.ts';

/** A body that arrives in exactly these chunks. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function read(...chunks: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(body(...chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads named events with ids, however the chunks cut the lines', async () => {
    const stream = 'event: progress\nid: 3\ndata: {"step":3}\n\nevent: succeeded\ndata: {"id":"job_1"}\n\n';
    const expected = [
      { event: 'progress', id: '3', data: '{"step":3}' },
      { event: 'succeeded', id: undefined, data: '{"id":"job_1"}' },
    ];
    expect(await read(stream)).toEqual(expected);
    expect(await read(...stream.split(''))).toEqual(expected);
  });

  it('accepts CRLF and CR line ends, even a CRLF split across chunks', async () => {
    expect(await read('event: a\r', '\ndata: 1\r\n\r', '\nevent: b\rdata: 2\r\r')).toEqual([
      { event: 'a', id: undefined, data: '1' },
      { event: 'b', id: undefined, data: '2' },
    ]);
  });

  it('joins data lines, skips comments, keeps a second space, names unnamed events "message"', async () => {
    expect(await read(': keep-alive\n\ndata:one\ndata:  two\n\nevent: empty\n\n')).toEqual([
      { event: 'message', id: undefined, data: 'one\n two' },
    ]);
  });

  it('drops a block the stream ends in the middle of', async () => {
    expect(await read('event: progress\ndata: {"step":1}\n')).toEqual([]);
  });
});
