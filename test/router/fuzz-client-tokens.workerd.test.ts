import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzEndpoint, RUNS_PER_ENDPOINT } from './fuzz-bodies.ts';
import { call, newTenant } from './router-fixture.ts';

describe('POST /v1/client-tokens under fuzzing', () => {
  it('answers every invalid body with a 4xx and the error envelope, never a 5xx', { timeout: 120_000 }, async () => {
    const statuses = await fuzzEndpoint('/v1/client-tokens');
    // Most bodies are refused as invalid, not by the credit check: the fuzzing reached the validation.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS_PER_ENDPOINT / 2);
  });

  it('never mints a token that can do more than its key, whatever scopes are asked', { timeout: 120_000 }, async () => {
    const scope = fc.constantFrom('generate', 'read');
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(scope, { minLength: 1, maxLength: 2 }),
        fc.option(fc.array(fc.oneof(scope, fc.constantFrom('admin', 'write', '')), { maxLength: 4 }), {
          nil: undefined,
        }),
        async (keyScopes, asked) => {
          const { key } = await newTenant(0, keyScopes);
          const minted = await call('/v1/client-tokens', {
            method: 'POST',
            token: key,
            body: JSON.stringify(asked === undefined ? {} : { scopes: asked }),
          });
          const body = (await minted.json()) as { token?: string; scopes?: string[]; error?: { code: string } };
          if (minted.status !== 201) {
            expect([400, 403]).toContain(minted.status);
            return;
          }
          for (const held of body.scopes ?? []) expect(keyScopes).toContain(held);
          // What the token is refused, the key is refused too: reading needs `read`, generating needs `generate`.
          const read = await call('/v1/jobs', { token: body.token });
          expect(read.status).toBe(keyScopes.includes('read') && body.scopes?.includes('read') ? 200 : 403);
          const generate = await call('/v1/jobs', { method: 'POST', token: body.token, body: '{"prompt":"x"}' });
          // No credits: a token allowed to generate reaches the credit check (402), any other is refused (403).
          expect(generate.status).toBe(body.scopes?.includes('generate') ? 402 : 403);
        },
      ),
      { numRuns: 40 },
    );
  });
});
