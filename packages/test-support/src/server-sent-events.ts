import { parseServerSentEvents } from '@stipple/jobs';

/** A whole `text/event-stream` body as its events (@stipple/jobs' parser), each one's `data` parsed as JSON. */
// biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of its own events' data.
export function parseJsonEvents(text: string): { event: string; data: any }[] {
  return parseServerSentEvents(text).map(({ event, data }) => ({ event, data: JSON.parse(data) }));
}
