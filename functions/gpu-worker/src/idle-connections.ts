import type { Server } from 'node:http';

/**
 * How long the worker keeps an idle keep-alive connection open, ms: longer than its callers keep one in their pools
 * (workerd's and undici's idle timeouts are about 5 s and 4 s; AWS load balancers' 60 s). A connection must be
 * closed by the side that would send on it next, the caller: when the server closes first, a request the caller
 * writes at that moment meets a closed socket, and the router, not knowing whether the job was taken, has to find out
 * (`outcome_unknown`, seen as `Network connection lost` under `npm run load` with Node's default of 5 s).
 */
export const IDLE_CONNECTION_MS = 65_000;

/** Holds idle connections `IDLE_CONNECTION_MS`, and lets a request's headers take a second longer than that wait. */
export function holdIdleConnections(server: Pick<Server, 'keepAliveTimeout' | 'headersTimeout'>): void {
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  server.headersTimeout = IDLE_CONNECTION_MS + 1_000;
}
