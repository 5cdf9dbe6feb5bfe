import { Agent, fetch as undiciFetch } from 'undici';

/**
 * How long the worker keeps an idle connection to a job's callback receiver, ms. The receiver closes idle connections
 * too (workerd after 5 s), and an event sent on a connection the receiver has just closed fails (`ECONNRESET`, `other
 * side closed`) and waits for its retry. Node's `fetch` keeps one 4 s, and a worker whose CPUs are busy runs its
 * timers late: under `npm run load`, 1–2 % of the stand-in's events failed so. 2 s leaves the receiver's 5 s a wide
 * margin; within a job events are 100 ms apart, so its connection is reused all the same.
 */
export const CALLBACK_IDLE_CONNECTION_MS = 2_000;

const connections = new Agent({
  keepAliveTimeout: CALLBACK_IDLE_CONNECTION_MS,
  keepAliveMaxTimeout: CALLBACK_IDLE_CONNECTION_MS,
});

/** `fetch` for a job's event callbacks, over connections the worker drops before the receiver would. */
export const callbackFetch = ((input, init) =>
  undiciFetch(input as Parameters<typeof undiciFetch>[0], {
    ...(init as Parameters<typeof undiciFetch>[1]),
    dispatcher: connections,
  })) as typeof fetch;
