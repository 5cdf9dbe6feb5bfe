/** A whole `text/event-stream` body as its events: each block's `event` name and its `data` parsed as JSON. */
// biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of its own events' data.
export function parseServerSentEvents(text: string): { event: string | undefined; data: any }[] {
  return text
    .trim()
    .split('\n\n')
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1],
      data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'),
    }));
}
