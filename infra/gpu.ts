import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { DeployConfig, SageMakerConfig } from './deploy-config.ts';
import { createGpuAutoscaling } from './gpu-autoscaling.ts';
import { inferenceAmiFor } from './gpu-inference-ami.ts';
import { createGpuRole } from './gpu-role.ts';
import { gpuWorkerEnvironment, maxConcurrentInvocations } from './gpu-worker-environment.ts';
import { createGpuWorkerImage } from './gpu-worker-image.ts';
import { createGpuWorkerSecret } from './gpu-worker-secret.ts';
import type { Secrets } from './secrets.ts';
import type { Storage } from './storage.ts';

export interface GpuArgs {
  config: DeployConfig;
  sagemaker: SageMakerConfig;
  storage: Storage;
  secrets: Secrets;
  repositoryRoot: string;
  /**
   * Delete the image repository with its images, and the worker secret without a recovery window, on `sst remove`
   * (every stage but production).
   */
  forceDelete: boolean;
}

const VARIANT_NAME = 'AllTraffic';

/**
 * The gpu-worker on a SageMaker asynchronous inference endpoint: SageMaker queues requests (up to an hour each),
 * writes each response or failure to the bucket, and scales the GPU instances with the queue, down to none.
 * SST's container components (Service, Task) run on Fargate, which has no GPUs, so this is plain Pulumi AWS.
 */
export function createGpu(args: GpuArgs) {
  const { bucket, layout } = args.storage;
  const image = createGpuWorkerImage({ repositoryRoot: args.repositoryRoot, forceDelete: args.forceDelete });
  const workerSecret = createGpuWorkerSecret({
    value: args.secrets.router.WorkerSecret.value,
    forceDelete: args.forceDelete,
  });
  const { role, policy } = createGpuRole({
    bucket,
    layout,
    repository: image.repository,
    workerSecretArn: workerSecret.secret.arn,
  });
  const model = new aws.sagemaker.Model(
    'GpuWorkerModel',
    {
      executionRoleArn: role.arn,
      primaryContainer: {
        image: image.imageUri,
        mode: 'SingleModel',
        environment: gpuWorkerEnvironment({
          workerSecretArn: workerSecret.secret.arn,
          region: bucket.region,
          models: args.config.models,
          maxBatchImages: args.sagemaker.maxBatchImages,
          modelRegistryPath: args.config.modelRegistryPath,
        }),
      },
    },
    {
      // SageMaker checks the role's permissions when the model is created; the containers read the secret's current
      // version when they start.
      dependsOn: [policy, workerSecret.version],
      // The worker reads its secret once, at start-up, and the environment holds only the ARN: a new WorkerSecret
      // replaces the model, so the endpoint rolls onto containers that read the new version (as a changed
      // environment did when the value itself was there).
      replacementTrigger: workerSecret.version.versionId,
    },
  );
  const s3Url = (prefix: string) => pulumi.interpolate`s3://${bucket.bucket}/${prefix}/`;
  const endpointConfig = new aws.sagemaker.EndpointConfiguration('GpuEndpointConfig', {
    productionVariants: [
      {
        variantName: VARIANT_NAME,
        modelName: model.name,
        instanceType: args.sagemaker.instanceType,
        // The driver the CUDA 12 image needs; SageMaker's default on ml.g5 is older (gpu-inference-ami.ts).
        inferenceAmiVersion: inferenceAmiFor(args.sagemaker.instanceType).version,
        initialInstanceCount: 1,
        // Loading the image and the model onto a fresh GPU can take minutes; `/ping` is 503 until then.
        containerStartupHealthCheckTimeoutInSeconds: 900,
      },
    ],
    asyncInferenceConfig: {
      outputConfig: {
        s3OutputPath: s3Url(layout.sagemakerOutputs),
        // Without a failure path a failed job stays queued until the router's deadline (docs/adapters.md).
        s3FailurePath: s3Url(layout.sagemakerFailures),
      },
      clientConfig: { maxConcurrentInvocationsPerInstance: maxConcurrentInvocations(args.sagemaker.maxBatchImages) },
    },
  });
  const endpoint = new aws.sagemaker.Endpoint('GpuEndpoint', { endpointConfigName: endpointConfig.name });
  const autoscaling = createGpuAutoscaling({
    endpointName: endpoint.name,
    variantName: VARIANT_NAME,
    maxInstances: args.sagemaker.maxInstances,
    backlogPerInstance: args.sagemaker.backlogPerInstance,
  });
  return { image, workerSecret, role, policy, model, endpointConfig, endpoint, autoscaling, region: bucket.region };
}

export type Gpu = ReturnType<typeof createGpu>;
