import type { Env } from '../env.ts';
import type { KeyRecord } from '../tenancy/key-directory.ts';

/** Hono's typing for the router: its bindings, and what middleware puts on the context. */
export interface AppContext {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** The authenticated caller (API key auth). */
    caller: KeyRecord;
    /** Set by `idempotent()` on a request with an `Idempotency-Key`: what the key is bound to, and how to bind it. */
    idempotency?: { boundTo?: string; bind: (resource: string) => Promise<void> };
    /** The error code the request failed with, for the request log. */
    errorCode: string;
  };
}
