import { createMiddleware } from 'hono/factory';
import { keyDirectory } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { enforceRateLimit } from '../http/enforce-rate-limit.ts';
import { apiKeyFormatProblem, digestApiKey } from '../keys/api-key.ts';
import { CLIENT_TOKEN_PREFIX, readClientToken } from '../keys/client-token.ts';
import type { ApiScope } from '../tenancy/api-scopes.ts';
import type { KeyRecord } from '../tenancy/key-directory.ts';
import { bearerToken } from './bearer-token.ts';

const unauthorized = (message: string) =>
  new ApiError(401, 'invalid_api_key', message, { headers: { 'www-authenticate': 'Bearer' } });

async function lookUp(env: Env, digest: string): Promise<KeyRecord | undefined> {
  return keyDirectory(env, digest).lookup(digest);
}

async function keyCaller(env: Env, token: string): Promise<KeyRecord> {
  const problem = apiKeyFormatProblem(token);
  if (problem) throw unauthorized(`the API key is not a Stipple key: ${problem}`);
  const caller = await lookUp(env, await digestApiKey(token));
  if (!caller) throw unauthorized('the API key is unknown or revoked');
  return caller;
}

/** A client token acts for the key that minted it, with its own scopes, cap and end user, while that key lives. */
async function clientTokenCaller(env: Env, token: string): Promise<KeyRecord> {
  if (!env.TOKEN_SIGNING_SECRET) throw unauthorized('client tokens are not enabled on this deployment');
  const read = await readClientToken(env.TOKEN_SIGNING_SECRET, token);
  if (!read.ok) throw unauthorized(`the client token is ${read.reason}; ask your backend for a new one`);
  const { claims } = read;
  const minter = await lookUp(env, claims.keyDigest);
  if (!minter || minter.keyId !== claims.keyId) throw unauthorized('the key that minted this client token was revoked');
  return {
    ...minter,
    // Never more than the key holds now, whatever the token says.
    scopes: claims.scopes.filter((scope) => minter.scopes.includes(scope)),
    clientToken: { id: claims.id, maxCredits: claims.maxCredits, endUser: claims.endUser },
  };
}

/** The caller a bearer token (an API key or a client token) stands for; throws 401 when it is unknown or revoked. */
export function authenticate(env: Env, token: string): Promise<KeyRecord> {
  return token.startsWith(CLIENT_TOKEN_PREFIX) ? clientTokenCaller(env, token) : keyCaller(env, token);
}

/**
 * API key authentication with a scope: the key's digest is looked up in the directory on every request, and the
 * request is counted against the caller's rate limit (the key's; a client token's end user's).
 */
export function requireKey(scope: ApiScope) {
  return createMiddleware<AppContext>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthorized('send your API key as Authorization: Bearer sk_live_… (or sk_test_…)');
    const caller = await authenticate(c.env, token);
    // Every request a valid key makes counts, and every answer to it carries the x-ratelimit-* headers.
    await enforceRateLimit(c, caller);
    if (!caller.scopes.includes(scope)) {
      throw new ApiError(
        403,
        'missing_scope',
        `this key lacks the "${scope}" scope; its scopes are ${caller.scopes.join(', ')}`,
      );
    }
    c.set('caller', caller);
    await next();
  });
}
