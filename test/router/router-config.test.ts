import { describe, expect, it } from 'vitest';
import { type RouterConfigBindings, readRouterConfig } from '../../functions/router/src/router-config.ts';

const bindings = (extra: Partial<RouterConfigBindings> = {}): RouterConfigBindings => ({
  S3_ACCESS_KEY_ID: 'AKIDEDGE',
  S3_SECRET_ACCESS_KEY: 'edge-secret',
  ...extra,
});

describe('readRouterConfig', () => {
  it('reads each bindings object once: the same config, the same catalogue', () => {
    const env = bindings({ MODELS: '{"sd15":{"width":512,"height":512,"steps":30}}' });
    const config = readRouterConfig(env);
    expect(readRouterConfig(env)).toBe(config);
    expect(config.models).toBe(readRouterConfig(env).models);
    expect(config.models).toEqual([{ id: 'sd15', width: 512, height: 512, steps: 30, sizes: ['512x512'] }]);
    expect(readRouterConfig(bindings())).not.toBe(config);
  });

  it('defaults the catalogue, the providers and the region, and leaves an empty endpoint to AWS', () => {
    const config = readRouterConfig(bindings({ S3_ENDPOINT: '', S3_REGION: '' }));
    expect(config.models.map((model) => model.id)).toEqual(['tiny-shapes']);
    expect(config.providers).toEqual([]);
    expect(config.storage).toEqual({
      endpoint: undefined,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEDGE', secretAccessKey: 'edge-secret' },
    });
    expect(readRouterConfig(bindings({ S3_REGION: 'auto' })).storage.region).toBe('auto');
  });

  it('fails only the part that is bad, where it is used', () => {
    const config = readRouterConfig(bindings({ PROVIDERS: '[{', MODELS: '{"m":{"width":64,"height":64,"steps":4}}' }));
    expect(config.models.map((model) => model.id)).toEqual(['m']);
    expect(() => config.providers).toThrow(/^PROVIDERS is not JSON/);
    const badModels = readRouterConfig(
      bindings({ MODELS: '{"m":{"width":64,"height":64,"steps":4,"sizes":["big"]}}' }),
    );
    expect(() => badModels.models).toThrow('MODELS["m"].sizes: "big" is not WIDTHxHEIGHT');
    expect(badModels.providers).toEqual([]);
  });
});

describe('readRouterConfig: content safety', () => {
  it('defaults both modes to flag, no threshold, no moderators', () => {
    expect(readRouterConfig(bindings()).moderation).toEqual({
      defaults: { prompts: 'flag', images: 'flag', endUserBlockThreshold: null },
      terms: [],
      endpoint: undefined,
    });
  });

  it('reads the policy defaults, the term list and the endpoint with its defaults', () => {
    const config = readRouterConfig(
      bindings({
        PROMPT_MODERATION: 'block',
        IMAGE_MODERATION: 'off',
        END_USER_BLOCK_THRESHOLD: '5',
        MODERATION_TERMS: 'fox, forbidden fruit\nzebra,,',
        MODERATION_URL: 'https://api.openai.com/v1/moderations',
        MODERATION_API_KEY: 'sk-moderation',
      }),
    ).moderation;
    expect(config).toEqual({
      defaults: { prompts: 'block', images: 'off', endUserBlockThreshold: 5 },
      terms: ['fox', 'forbidden fruit', 'zebra'],
      endpoint: {
        url: 'https://api.openai.com/v1/moderations',
        apiKey: 'sk-moderation',
        timeoutMs: 2000,
        failure: 'closed',
      },
    });
  });

  it.each([
    [{ PROMPT_MODERATION: 'strict' }, 'PROMPT_MODERATION "strict" is not a mode; use one of off, flag, block'],
    [{ END_USER_BLOCK_THRESHOLD: '0' }, 'END_USER_BLOCK_THRESHOLD "0" is not allowed; use a whole number from 1'],
    [{ MODERATION_URL: 'moderation.example.com' }, 'MODERATION_URL "moderation.example.com" is not an http(s) URL'],
    [
      { MODERATION_URL: 'https://m.example.com/v1/moderations', MODERATION_FAILURE: 'maybe' },
      'MODERATION_FAILURE "maybe" is not allowed; use open or closed',
    ],
    [
      { MODERATION_URL: 'https://m.example.com/v1/moderations', MODERATION_TIMEOUT_MS: '60000' },
      'MODERATION_TIMEOUT_MS "60000" is not allowed; use a whole number from 1 to 30000',
    ],
  ])('refuses %o naming the binding and what it allows, only where it is used', (extra, message) => {
    const config = readRouterConfig(bindings(extra));
    expect(config.storage.region).toBe('us-east-1');
    expect(() => config.moderation).toThrow(message);
  });
});
