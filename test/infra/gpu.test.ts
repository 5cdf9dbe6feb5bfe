import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployUnderMocks, REPOSITORY_ROOT } from './support/deploy-stack.ts';
import { resolved, theResource } from './support/pulumi-mocks.ts';

const SAGEMAKER = { STIPPLE_SAGEMAKER_MAX_INSTANCES: '3', STIPPLE_MAX_BATCH_IMAGES: '6' };

describe('infra/gpu', () => {
  it('scales the endpoint between zero and the configured ceiling', async () => {
    const { resources, gpu } = await deployUnderMocks(SAGEMAKER);
    const target = theResource(resources, 'aws:appautoscaling/target:Target');
    expect(target.inputs).toMatchObject({
      serviceNamespace: 'sagemaker',
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: 0,
      maxCapacity: 3,
    });
    const endpointName = await resolved(gpu!.endpoint.name);
    const [variant] = theResource(resources, 'aws:sagemaker/endpointConfiguration:EndpointConfiguration').inputs
      .productionVariants;
    expect(target.inputs.resourceId).toBe(`endpoint/${endpointName}/variant/${variant.variantName}`);
  });

  it('wakes an endpoint scaled to zero when requests wait without capacity', async () => {
    const { resources } = await deployUnderMocks(SAGEMAKER);
    const alarm = theResource(resources, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarm.inputs).toMatchObject({ namespace: 'AWS/SageMaker', metricName: 'HasBacklogWithoutCapacity' });
    const policies = resources.filter((resource) => resource.type === 'aws:appautoscaling/policy:Policy');
    const wake = policies.find((policy) => policy.inputs.policyType === 'StepScaling')!;
    expect(alarm.inputs.alarmActions).toEqual([
      `arn:aws:appautoscaling:eu-west-1:123456789012:${wake.name.toLowerCase()}`,
    ]);
    expect(wake.inputs.stepScalingPolicyConfiguration.stepAdjustments[0].scalingAdjustment).toBeGreaterThan(0);
    const tracking = policies.find((policy) => policy.inputs.policyType === 'TargetTrackingScaling')!;
    expect(tracking.inputs.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metricName).toBe(
      'ApproximateBacklogSizePerInstance',
    );
  });

  it('writes SageMaker responses and failures into the result bucket', async () => {
    const { resources, storage } = await deployUnderMocks(SAGEMAKER);
    const bucket = await resolved(storage.bucket.bucket);
    const { asyncInferenceConfig } = theResource(
      resources,
      'aws:sagemaker/endpointConfiguration:EndpointConfiguration',
    ).inputs;
    expect(asyncInferenceConfig.outputConfig).toMatchObject({
      s3OutputPath: `s3://${bucket}/${storage.layout.sagemakerOutputs}/`,
      s3FailurePath: `s3://${bucket}/${storage.layout.sagemakerFailures}/`,
    });
    // SageMaker sends an instance no more than the worker admits (MAX_CONCURRENT_JOBS + MAX_QUEUED_JOBS).
    const { environment } = theResource(resources, 'aws:sagemaker/model:Model').inputs.primaryContainer;
    expect(asyncInferenceConfig.clientConfig.maxConcurrentInvocationsPerInstance).toBe(
      Number(environment.MAX_CONCURRENT_JOBS) + Number(environment.MAX_QUEUED_JOBS),
    );
  });

  it('runs the image built from the gpu-worker Dockerfile, pinned by digest', async () => {
    const { resources, gpu } = await deployUnderMocks(SAGEMAKER);
    const image = theResource(resources, 'docker-build:index:Image');
    expect(image.inputs.dockerfile.location).toBe(join(REPOSITORY_ROOT, 'functions/gpu-worker/Dockerfile'));
    expect(existsSync(image.inputs.dockerfile.location)).toBe(true);
    expect(image.inputs.context.location).toBe(REPOSITORY_ROOT);
    expect(image.inputs.push).toBe(true);
    const repositoryUrl = await resolved(gpu!.image.repository.repositoryUrl);
    expect(image.inputs.tags[0].startsWith(`${repositoryUrl}:`)).toBe(true);
    const { primaryContainer } = theResource(resources, 'aws:sagemaker/model:Model').inputs;
    expect(primaryContainer.image).toBe(`${repositoryUrl}@${await resolved(gpu!.image.image.digest)}`);
  });

  it('replaces the model, and so rolls the endpoint, when the worker secret gets a new version', async () => {
    const { resources, gpu } = await deployUnderMocks(SAGEMAKER);
    // The container reads the secret only at start-up and its environment holds only the ARN, which stays the same.
    const model = theResource(resources, 'aws:sagemaker/model:Model');
    expect(model.replacementTrigger).toBe(await resolved(gpu!.workerSecret.version.versionId));
    expect(model.replacementTrigger).toMatch(/^[0-9a-f]{32}$/);
  });

  it('creates no SageMaker endpoint when only external workers are configured', async () => {
    const { resources, gpu } = await deployUnderMocks({
      STIPPLE_SAGEMAKER: 'off',
      STIPPLE_HTTP_PROVIDERS: JSON.stringify([{ id: 'runpod', url: 'https://abc.proxy.runpod.net' }]),
    });
    expect(gpu).toBeUndefined();
    expect(resources.filter((resource) => resource.type.startsWith('aws:sagemaker/'))).toEqual([]);
  });
});
