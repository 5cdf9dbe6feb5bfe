import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from './server-sent-events.ts';

function stream(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readServerSentEvents(body)) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads named events whose lines and characters are split across chunks', async () => {
    const events = await collect(
      stream('event: prog', 'ress\ndata: {"step":1}\n', '\nevent: result\r\ndata: {"ok":', 'true}\r\n\r\n'),
    );
    expect(events).toEqual([
      { event: 'progress', data: '{"step":1}' },
      { event: 'result', data: '{"ok":true}' },
    ]);
  });

  it('joins data lines, names unnamed events "message", skips comments, and drops an unterminated last event', async () => {
    const events = await collect(stream(': keep-alive\n\ndata: a\ndata:b\n\nevent: error\ndata: lost'));
    expect(events).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('keeps multi-byte characters split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    expect(await collect(body)).toEqual([{ event: 'message', data: 'café' }]);
  });
});
