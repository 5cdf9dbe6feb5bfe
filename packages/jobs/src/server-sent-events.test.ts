import { describe, expect, it } from 'vitest';
import {
  parseServerSentEvents,
  readServerSentEvents,
  type ServerSentEvent,
  serverSentEventParser,
} from './server-sent-events.ts';

/** A dispatched event: `message` and no last event ID unless given. */
const event = (data: string, fields: Partial<ServerSentEvent> = {}): ServerSentEvent => ({
  event: 'message',
  data,
  lastEventId: '',
  ...fields,
});

/**
 * The examples of the HTML standard's "Server-sent events" section (§9.2.4 and §9.2.6), with the events an
 * EventSource dispatches for each.
 */
const SPEC_EXAMPLES: { name: string; stream: string; events: ServerSentEvent[] }[] = [
  {
    name: 'a message of three data lines',
    stream: 'data: YHOO\ndata: +2\ndata: 10\n\n',
    events: [event('YHOO\n+2\n10')],
  },
  {
    name: 'comments, ids and a leading space kept past the first',
    stream: ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
    events: [event('first event', { lastEventId: '1' }), event('second event'), event(' third event')],
  },
  {
    name: 'empty data lines, and a last block the stream ends in',
    stream: 'data\n\ndata\ndata\n\ndata:',
    events: [event(''), event('\n')],
  },
  {
    name: 'a space after the colon or none',
    stream: 'data:test\n\ndata: test\n\n',
    events: [event('test'), event('test')],
  },
  {
    name: 'named events',
    stream: 'event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n',
    events: [
      event('73857293', { event: 'add' }),
      event('2153', { event: 'remove' }),
      event('113411', { event: 'add' }),
    ],
  },
];

/** The same stream with each LF replaced: the standard allows CRLF, LF and CR line ends. */
const LINE_ENDS = { LF: '\n', CRLF: '\r\n', CR: '\r' };

/** Feeds the chunks one by one to a fresh parser. */
function feed(chunks: string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = serverSentEventParser((dispatched) => events.push(dispatched));
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return events;
}

/** Every way to cut `text` into two chunks, and into three. */
function* splits(text: string): Generator<string[]> {
  for (let first = 0; first <= text.length; first++) {
    yield [text.slice(0, first), text.slice(first)];
    for (let second = first; second <= text.length; second++) {
      yield [text.slice(0, first), text.slice(first, second), text.slice(second)];
    }
  }
}

/** A body that arrives in exactly these chunks of bytes. */
function body(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('serverSentEventParser', () => {
  for (const { name, stream, events } of SPEC_EXAMPLES) {
    for (const [ending, lineEnd] of Object.entries(LINE_ENDS)) {
      it(`reads the standard's example of ${name} (${ending}) the same however the chunks cut it`, () => {
        const text = stream.replaceAll('\n', lineEnd);
        expect(parseServerSentEvents(text)).toEqual(events);
        for (const chunks of splits(text)) expect(feed(chunks), JSON.stringify(chunks)).toEqual(events);
      });
    }
  }

  it('reads a CRLF split across two chunks as one line end', () => {
    expect(feed(['data: a\r', '\ndata: b\r\n\r\n'])).toEqual([event('a\nb')]);
    expect(feed(['data: a\r', '\n', '\r', '\n'])).toEqual([event('a')]);
  });

  it('dispatches an event as soon as its blank line arrives, even one ended by a lone CR', () => {
    const events: ServerSentEvent[] = [];
    const parser = serverSentEventParser((dispatched) => events.push(dispatched));
    parser.feed('data: now\r\r');
    expect(events).toEqual([event('now')]);
  });

  it('keeps the last event ID for later events, ignores one holding NUL, and names an empty event "message"', () => {
    expect(parseServerSentEvents('id: 7\ndata: a\n\nevent:\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n')).toEqual([
      event('a', { lastEventId: '7' }),
      event('b', { lastEventId: '7' }),
      event('c', { lastEventId: '7' }),
      event('d'),
    ]);
  });

  it('ignores a byte order mark at the start, unknown fields and a block with no data', () => {
    expect(parseServerSentEvents('\uFEFFdata: a\nretry: 10\nfoo: bar\n\nevent: empty\n\n: keep-alive\n\n')).toEqual([
      event('a'),
    ]);
    expect(feed(['\uFEFF', 'data: a\n\n'])).toEqual([event('a')]);
  });
});

describe('readServerSentEvents', () => {
  it('decodes UTF-8 split anywhere, a character across two chunks included', async () => {
    const bytes = new TextEncoder().encode('event: progress\nid: 3\ndata: {"prompt":"café ☕"}\n\n');
    const events: ServerSentEvent[] = [];
    for await (const read of readServerSentEvents(body(...Array.from(bytes, (byte) => Uint8Array.of(byte))))) {
      events.push(read);
    }
    expect(events).toEqual([event('{"prompt":"café ☕"}', { event: 'progress', lastEventId: '3' })]);
  });

  it('cancels the body when the reader stops early', async () => {
    let canceled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: tick\n\n'));
      },
      cancel() {
        canceled = true;
      },
    });
    for await (const read of readServerSentEvents(endless)) {
      expect(read).toEqual(event('tick'));
      break;
    }
    expect(canceled).toBe(true);
  });
});
