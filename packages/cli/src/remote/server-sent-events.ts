/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** The `event` field; `message` when the block names none. */
  event: string;
  /** The `data` lines joined with newlines. */
  data: string;
  id?: string;
}

/**
 * Reads a `text/event-stream` body into events, as the HTML standard's "Interpreting an event stream" says (§9.2.6):
 * lines end in CRLF, LF or CR; `:` starts a comment; one space after the colon is dropped; a blank line dispatches the
 * block; a block with no data, or one the stream ends inside, is not dispatched.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let buffered = '';
  let block: { event?: string; data: string[]; id?: string } = { data: [] };
  const decoded = body.pipeThrough(new TextDecoderStream());
  for await (const chunk of decoded) {
    buffered += chunk;
    // A CR at the end may be the first half of a CRLF: keep it until the next chunk (or the end) says.
    const lines = buffered.split(/\r\n|\n|\r(?!$)/);
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const event = readLine(line, block);
      if (event === 'dispatch') {
        if (block.data.length > 0) yield { event: block.event ?? 'message', data: block.data.join('\n'), id: block.id };
        block = { data: [] };
      }
    }
  }
  // The stream ended: a last lone CR was a blank line, which dispatches the block it ends.
  if (buffered === '\r' && block.data.length > 0) {
    yield { event: block.event ?? 'message', data: block.data.join('\n'), id: block.id };
  }
}

/** Applies one line to the block being read; `dispatch` for the blank line that ends it. */
function readLine(line: string, block: { event?: string; data: string[]; id?: string }): 'dispatch' | undefined {
  if (line === '') return 'dispatch';
  if (line.startsWith(':')) return undefined;
  const colon = line.indexOf(':');
  const field = colon === -1 ? line : line.slice(0, colon);
  const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
  if (field === 'event') block.event = value;
  else if (field === 'data') block.data.push(value);
  else if (field === 'id') block.id = value;
  return undefined;
}
