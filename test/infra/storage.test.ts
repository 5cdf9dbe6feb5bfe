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
    const expiring = rules.filter((rule) => rule.expiration !== undefined);
    const { layout } = storage;
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

  it('allows browsers to GET results, and nothing else', async () => {
    const { resources } = await deployUnderMocks({
      STIPPLE_CORS_ORIGINS: 'https://app.example.com, https://b.example',
    });
    const [rule, ...others] = theResource(resources, 'aws:s3/bucketCorsConfiguration:BucketCorsConfiguration').inputs
      .corsRules;
    expect(others).toEqual([]);
    expect(rule.allowedMethods).toContain('GET');
    expect(rule.allowedMethods.filter((method: string) => method !== 'GET' && method !== 'HEAD')).toEqual([]);
    expect(rule.allowedOrigins).toEqual(['https://app.example.com', 'https://b.example']);
  });
});
