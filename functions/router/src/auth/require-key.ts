import { createMiddleware } from 'hono/factory';
import { keyDirectory } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { enforceRateLimit, setRateLimitHeaders } from '../http/enforce-rate-limit.ts';
import { apiKeyFormatProblem, apiKeyMode, digestApiKey } from '../keys/api-key.ts';
import { CLIENT_TOKEN_PREFIX, readClientToken } from '../keys/client-token.ts';
import type { ApiScope } from '../tenancy/api-scopes.ts';
import type { KeyRecord } from '../tenancy/key-directory.ts';
import { bearerToken } from './bearer-token.ts';
import { KeyCache, parseKeyCacheSeconds } from './key-cache.ts';
import { unauthorized } from './unauthorized.ts';

/** This isolate's keys (`key-cache.ts`): the directory is asked once per key and isolate every KEY_CACHE_SECONDS. */
let cache: KeyCache | undefined;

/** `fresh`: ask the directory even if this isolate knows the key (a long stream re-checking its caller). */
async function lookUp(env: Env, digest: string, fresh: boolean): Promise<KeyRecord | undefined> {
  cache ??= new KeyCache(parseKeyCacheSeconds(env.KEY_CACHE_SECONDS) * 1000);
  const keys = cache;
  const known = fresh ? undefined : keys.get(digest);
  if (known) return known;
  const record = await keyDirectory(env, digest).lookup(digest);
  if (record) keys.set(digest, record);
  else keys.drop(digest);
  return record;
}

async function keyCaller(env: Env, token: string, fresh: boolean): Promise<KeyRecord> {
  // One pattern test for a well-formed key; the message that says what is wrong only for one that is not.
  const problem = apiKeyMode(token) === undefined ? apiKeyFormatProblem(token) : undefined;
  if (problem) throw unauthorized(`the API key is not a Stipple key: ${problem}`);
  const caller = await lookUp(env, await digestApiKey(token), fresh);
  if (!caller) throw unauthorized('the API key is unknown or revoked');
  return caller;
}

/** A client token acts for the key that minted it, with its own scopes, cap and end user, while that key lives. */
async function clientTokenCaller(env: Env, token: string, fresh: boolean): Promise<KeyRecord> {
  if (!env.TOKEN_SIGNING_SECRET) throw unauthorized('client tokens are not enabled on this deployment');
  const read = await readClientToken(env.TOKEN_SIGNING_SECRET, token);
  if (!read.ok) throw unauthorized(`the client token is ${read.reason}; ask your backend for a new one`);
  const { claims } = read;
  const minter = await lookUp(env, claims.keyDigest, fresh);
  if (!minter || minter.keyId !== claims.keyId) throw unauthorized('the key that minted this client token was revoked');
  return {
    ...minter,
    // Never more than the key holds now, whatever the token says.
    scopes: claims.scopes.filter((scope) => minter.scopes.includes(scope)),
    clientToken: { id: claims.id, maxCredits: claims.maxCredits, endUser: claims.endUser },
  };
}

/**
 * The caller a bearer token (an API key or a client token) stands for; throws 401 when it is unknown or revoked.
 * From this isolate's key cache unless `fresh`: a secret key's revocation is then caught by its rate limiter within
 * LEASE_MS (`requireKey`), a client token's minter's within KEY_CACHE_SECONDS.
 */
export function authenticate(env: Env, token: string, { fresh = false } = {}): Promise<KeyRecord> {
  return token.startsWith(CLIENT_TOKEN_PREFIX) ? clientTokenCaller(env, token, fresh) : keyCaller(env, token, fresh);
}

/** Methods that change nothing: their work may run while the rate limiter decides whether to answer it. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * API key authentication with a scope: the key's digest is looked up in the directory (or this isolate's cache of it),
 * and the request is counted against the caller's rate limit (the key's; a client token's end user's), which also
 * refuses a secret key revoked since it was cached (within LEASE_MS: `http/rate-limit-leases.ts`).
 *
 * A read whose limit waits for the limiter runs at the same time, and its answer is sent only if the limiter admits it
 * (else the 429 or 401 replaces it, and a streamed body is cancelled): a read changes nothing, so running it early
 * costs no state, and its Durable Object round trip overlaps the limiter's (docs/ARCHITECTURE.md, round trips per
 * request). Anything else waits for the check before it starts.
 */
export function requireKey(scope: ApiScope) {
  return createMiddleware<AppContext>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthorized('send your API key as Authorization: Bearer sk_live_… (or sk_test_…)');
    const caller = await authenticate(c.env, token);
    // Every request a valid key makes counts, and every answer to it carries the x-ratelimit-* headers. Decided at
    // once (or refused: it throws) when this isolate holds the key's tokens, else once the limiter answers.
    const allowed = caller.scopes.includes(scope);
    if (allowed) c.set('caller', caller);
    const admission = enforceRateLimit(c, caller);
    if (!(admission instanceof Promise) || !allowed || !READ_METHODS.has(c.req.method)) {
      setRateLimitHeaders(c, admission instanceof Promise ? await admission : admission);
      if (!allowed) {
        throw new ApiError(
          403,
          'missing_scope',
          `this key lacks the "${scope}" scope; its scopes are ${caller.scopes.join(', ')}`,
        );
      }
      return next();
    }
    // Settled before next() can throw, so a refusal is never left unobserved.
    const admitted = admission.then(
      (headers) => ({ headers }),
      (error: unknown) => ({ error }),
    );
    try {
      await next();
    } finally {
      const decided = await admitted;
      if ('error' in decided) {
        await c.res.body?.cancel().catch(() => undefined);
        // biome-ignore lint/correctness/noUnsafeFinally: the limiter's refusal is the answer, whatever the read did.
        throw decided.error;
      }
      // On the answer once made: headers set while the read runs could miss it (Hono builds an answer before it
      // takes it as the response).
      setRateLimitHeaders(c, decided.headers);
    }
  });
}
