/**
 * A bench-only seam: a streaming tail Worker (https://developers.cloudflare.com/workers/observability/logs/tail-workers/)
 * beside the router in its workerd, which writes one JSON line per Durable Object invocation (workerd opens a trace for
 * each RPC, fetch or alarm into an object, with the object's class as `entrypoint`). The router's own code is untouched:
 * the runtime produces the events, and only a stack started with `countDurableObjectCalls` runs the tail at all
 * (`npm run load` counts the lines). A classic `tail` handler lost some of them here (calls into an object that was
 * busy with another, under load); the streaming one's onset events matched the calls made, one for one.
 */
import type { WorkerOptions } from 'miniflare';

/** The `event` field of each line. */
export const DURABLE_OBJECT_CALL_EVENT = 'durable_object_call';
/** The tail Worker's name in workerd; the router names it in its `streamingTails`. */
export const DURABLE_OBJECT_CALL_LOG = 'durable-object-call-log';

const TAIL_SCRIPT = `export default {
  tailStream(onset) {
    const event = onset.event;
    if (event.type === 'onset' && event.executionModel === 'durableObject') {
      console.log(JSON.stringify({ event: '${DURABLE_OBJECT_CALL_EVENT}', class: event.entrypoint, kind: event.info?.type }));
    }
    return () => {};
  },
};`;

/** The tail Worker, to run in the router's workerd. */
export function durableObjectCallLogger(compatibilityDate: string): WorkerOptions {
  return { name: DURABLE_OBJECT_CALL_LOG, modules: true, script: TAIL_SCRIPT, compatibilityDate };
}

/** A line of the stack's log as `readableLogLine` writes the tail Worker's: `[router] durable_object_call class=… kind=…`. */
const READABLE_CALL = new RegExp(`\\b${DURABLE_OBJECT_CALL_EVENT} class=(\\S+) kind=(\\S+)`);

/** One invocation (`kind`: `jsrpc`, `fetch`, `alarm`), from a line of the stack's log; undefined for any other line. */
export function readDurableObjectCall(line: string): { className: string; kind: string } | undefined {
  const match = READABLE_CALL.exec(line);
  return match ? { className: match[1], kind: match[2] } : undefined;
}
