/**
 * Server-Sent Events, read as the HTML standard's "Interpreting an event stream" says (§9.2.6): lines end in CRLF, LF
 * or CR (a CRLF may arrive split across two chunks); a line starting with `:` is a comment; one space after the colon
 * is dropped; `data` lines join with LF; a blank line dispatches the block, unless it holds no `data` line; a block the
 * stream ends inside is not dispatched. Edge-safe: strings and web streams only (workerd, browsers, Node).
 */

/** One dispatched event. */
export interface ServerSentEvent {
  /** The `event` field; `message` when the block names none (or an empty one). */
  event: string;
  /** The block's `data` lines joined with LF. */
  data: string;
  /**
   * The stream's last event ID when this event was dispatched: the latest `id` field so far, in this block or an
   * earlier one (the standard's "last event ID buffer" is not reset between events); `''` before any.
   */
  lastEventId: string;
}

/** Feeds text as it arrives; `end()` when the stream ends. */
export interface ServerSentEventParser {
  feed(text: string): void;
  end(): void;
}

/** A parser that calls `onEvent` for each event, as soon as the blank line that ends it has arrived. */
export function serverSentEventParser(onEvent: (event: ServerSentEvent) => void): ServerSentEventParser {
  let pending = '';
  let started = false;
  let afterCarriageReturn = false;
  let eventType = '';
  let data: string[] = [];
  let lastEventId = '';

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onEvent({ event: eventType || 'message', data: data.join('\n'), lastEventId });
      eventType = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') eventType = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) lastEventId = value;
  };

  return {
    feed(text) {
      // The stream may start with a byte order mark, which is not part of the first field name.
      let chunk = started ? text : text.replace(/^\uFEFF/, '');
      started ||= chunk !== '';
      // The LF of a CRLF whose CR ended the previous chunk: that line has been ended already.
      if (afterCarriageReturn && chunk.startsWith('\n')) chunk = chunk.slice(1);
      if (chunk !== '') afterCarriageReturn = chunk.endsWith('\r');
      const lines = `${pending}${chunk}`.split(/\r\n|\n|\r/);
      pending = lines.pop() ?? '';
      for (const text of lines) line(text);
    },
    end() {
      // Only a blank line dispatches: a block cut off by the end of the stream is dropped.
      pending = '';
      data = [];
    },
  };
}

/** Every event of a whole `text/event-stream` body. */
export function parseServerSentEvents(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = serverSentEventParser((event) => events.push(event));
  parser.feed(text);
  parser.end();
  return events;
}

/**
 * The events of a `text/event-stream` body as they arrive (UTF-8, as the standard requires). A consumer that stops
 * early (`break`, `return`) cancels the body, which closes the connection.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let ready: ServerSentEvent[] = [];
  const parser = serverSentEventParser((event) => ready.push(event));
  // A streaming decoder keeps a character split across chunks whole. A reader rather than `for await`: Safari's
  // streams are not async iterable.
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let open = true;
  try {
    while (open) {
      const { value, done } = await reader.read();
      if (done) {
        open = false;
        parser.feed(decoder.decode());
        parser.end();
      } else parser.feed(decoder.decode(value, { stream: true }));
      const events = ready;
      ready = [];
      yield* events;
    }
  } finally {
    if (open) await reader.cancel();
  }
}
