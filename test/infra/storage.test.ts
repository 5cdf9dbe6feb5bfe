import { describe, expect, it } from 'vitest';
import { deployUnderMocks } from './support/deploy-stack.ts';
import { type Inputs, theResource } from './support/pulumi-mocks.ts';

describe('infra/storage', () => {
  it('blocks every kind of public access to the result bucket', async () => {
    const { resources, storage } = await deployUnderMocks({ STIPPLE_SAGEMAKER: 'on' });
    const block = theResource(resources, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
    expect(block.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const bucketId = await new Promise((resolve) => storage.bucket.id.apply(resolve));
    expect(block.inputs.bucket).toBe(bucketId);
    expect(theResource(resources, 'aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule).toEqual({
      objectOwnership: 'BucketOwnerEnforced',
    });
  });

  it('expires results and SageMaker objects after the configured days and aborts stale uploads after 7', async () => {
    const { resources, storage } = await deployUnderMocks({
      STIPPLE_OUTPUT_EXPIRY_DAYS: '12',
      STIPPLE_KEY_PREFIX: 'res',
    });
    const rules: Inputs[] = theResource(resources, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration')
      .inputs.rules;
    const { layout } = storage;
    const expiring = rules.filter(
      (rule) => rule.expiration !== undefined && rule.filter.prefix !== `${layout.inputs}/`,
    );
    expect(expiring.map((rule) => rule.filter.prefix).sort()).toEqual(
      [layout.outputs, layout.sagemakerInputs, layout.sagemakerOutputs, layout.sagemakerFailures]
        .map((p) => `${p}/`)
        .sort(),
    );
    expect(layout.outputs).toBe('res');
    for (const rule of expiring) expect(rule).toMatchObject({ status: 'Enabled', expiration: { days: 12 } });
    const abort = rules.find((rule) => rule.abortIncompleteMultipartUpload !== undefined);
    expect(abort).toMatchObject({ status: 'Enabled', abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } });
    expect(abort?.filter.prefix ?? '').toBe('');
  });

  it('expires input images after a day by default, or the days configured, sooner than results', async () => {
    for (const [env, days] of [
      [{}, 1],
      [{ STIPPLE_INPUT_EXPIRY_DAYS: '3' }, 3],
    ] as const) {
      const { resources, storage } = await deployUnderMocks(env);
      const rules: Inputs[] = theResource(resources, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration')
        .inputs.rules;
      expect(storage.layout.inputs).toBe('inputs');
      expect(rules.filter((rule) => rule.filter.prefix === 'inputs/')).toEqual([
        { id: 'expire-inputs', status: 'Enabled', filter: { prefix: 'inputs/' }, expiration: { days } },
      ]);
    }
  });

  it('allows browsers to GET results and PUT presigned uploads, and nothing else', async () => {
    const { resources } = await deployUnderMocks({
      STIPPLE_CORS_ORIGINS: 'https://app.example.com, https://b.example',
    });
    const [get, put, ...others] = theResource(resources, 'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration')
      .inputs.corsRules;
    expect(others).toEqual([]);
    expect(get.allowedMethods).toContain('GET');
    expect(get.allowedMethods.filter((method: string) => method !== 'GET' && method !== 'HEAD')).toEqual([]);
    expect(put.allowedMethods).toEqual(['PUT']);
    expect(put.allowedHeaders).toEqual(['content-type']);
    for (const rule of [get, put])
      expect(rule.allowedOrigins).toEqual(['https://app.example.com', 'https://b.example']);
  });
});
