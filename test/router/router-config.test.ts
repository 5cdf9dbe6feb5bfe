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
