import { describe, expect, it } from 'vitest';
import { readDeployConfig } from '../../infra/deploy-config.ts';
import { parseJsonc } from '../../infra/jsonc.ts';

describe('readDeployConfig', () => {
  it('deploys SageMaker scaled to zero, results under outputs/ kept 30 days, by default', () => {
    expect(readDeployConfig({})).toMatchObject({
      keyPrefix: 'outputs',
      outputExpiryDays: 30,
      inputExpiryDays: 1,
      corsOrigins: ['*'],
      models: ['tiny-shapes'],
      sagemaker: { instanceType: 'ml.g5.xlarge', maxInstances: 1 },
      httpProviders: [],
    });
  });

  it('refuses values it cannot use, naming the variable and what is allowed', () => {
    expect(() => readDeployConfig({ STIPPLE_OUTPUT_EXPIRY_DAYS: '0' })).toThrow(
      'STIPPLE_OUTPUT_EXPIRY_DAYS is "0"; use an integer of at least 1',
    );
    expect(() => readDeployConfig({ STIPPLE_INPUT_EXPIRY_DAYS: 'soon' })).toThrow(
      'STIPPLE_INPUT_EXPIRY_DAYS is "soon"',
    );
    expect(() => readDeployConfig({ STIPPLE_SAGEMAKER: 'yes' })).toThrow('use on or off');
    expect(() => readDeployConfig({ STIPPLE_SAGEMAKER: 'off' })).toThrow('the router would have no GPU');
    expect(() =>
      readDeployConfig({ STIPPLE_HTTP_PROVIDERS: JSON.stringify([{ id: 'Run Pod', url: 'https://x.example' }]) }),
    ).toThrow('STIPPLE_HTTP_PROVIDERS[0].id');
    expect(() =>
      readDeployConfig({ STIPPLE_HTTP_PROVIDERS: JSON.stringify([{ id: 'gpu', url: 'http://x.example' }]) }),
    ).toThrow('use an https:// URL');
  });
});

describe('parseJsonc', () => {
  it('reads comments and trailing commas and leaves strings alone', () => {
    const text = '// head\n{ "a": "http://x//y", /* note */ "b": [1, 2,], "c": "/* not a comment */", }\n';
    expect(parseJsonc(text)).toEqual({ a: 'http://x//y', b: [1, 2], c: '/* not a comment */' });
  });
});
