import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors/api-error.ts';
import type { AppContext } from '../http/app-context.ts';
import { enforceRateLimit } from '../http/enforce-rate-limit.ts';
import { apiKeyMode, digestApiKey } from '../keys/api-key.ts';
import type { ApiScope } from '../tenancy/api-scopes.ts';
import { keyDirectoryShard } from '../tenancy/key-directory.ts';
import { bearerToken } from './bearer-token.ts';

const unauthorized = (message: string) =>
  new ApiError(401, 'invalid_api_key', message, { headers: { 'www-authenticate': 'Bearer' } });

/**
 * API key authentication with a scope: the key's digest is looked up in the directory on every request, and the
 * request is counted against the key's rate limit.
 */
export function requireKey(scope: ApiScope) {
  return createMiddleware<AppContext>(async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthorized('send your API key as Authorization: Bearer sk_live_… (or sk_test_…)');
    if (!apiKeyMode(token))
      throw unauthorized('the API key is not a Stipple key; keys start with sk_live_ or sk_test_');
    const digest = await digestApiKey(token);
    const directory = c.env.KEY_DIRECTORY.get(c.env.KEY_DIRECTORY.idFromName(keyDirectoryShard(digest)));
    const caller = await directory.lookup(digest);
    if (!caller) throw unauthorized('the API key is unknown or revoked');
    // Every request a valid key makes counts, and every answer to it carries the x-ratelimit-* headers.
    await enforceRateLimit(c, caller.keyId);
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
