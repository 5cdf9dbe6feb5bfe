import type * as pulumi from '@pulumi/pulumi';

export interface GpuWorkerEnvironmentArgs {
  /**
   * The Secrets Manager secret holding the worker's HMAC secret. Never the value: SageMaker shows a model's
   * environment to anyone who may call DescribeModel.
   */
  workerSecretArn: pulumi.Input<string>;
  /** The bucket's region: the worker writes results there with the endpoint's execution role. */
  region: pulumi.Input<string>;
  models: string[];
  maxBatchImages: number;
  /** `MODEL_REGISTRY`: a registry file inside the image, for models other than `tiny-shapes`. */
  modelRegistryPath?: string;
}

/**
 * The gpu-worker container's environment on SageMaker (names as `functions/gpu-worker/src/worker-config.ts` and
 * `s3-config.ts` read them). `PORT`, `EXECUTION_PROVIDERS` and `MODEL_CACHE_DIR` come from the image's Dockerfile;
 * no AWS keys: the worker's default credential chain finds the execution role, which reads the secret and the bucket.
 */
export function gpuWorkerEnvironment(args: GpuWorkerEnvironmentArgs): Record<string, pulumi.Input<string>> {
  return {
    WORKER_SECRET_ARN: args.workerSecretArn,
    S3_REGION: args.region,
    S3_CONDITIONAL_WRITES: 'true',
    PRELOAD_MODELS: args.models.join(','),
    MAX_BATCH_IMAGES: String(args.maxBatchImages),
    // As many jobs in progress as one batch holds, and as many waiting: SageMaker queues the rest, and its backlog is
    // what the autoscaler watches.
    MAX_CONCURRENT_JOBS: String(args.maxBatchImages),
    MAX_QUEUED_JOBS: String(args.maxBatchImages),
    ...(args.modelRegistryPath === undefined ? {} : { MODEL_REGISTRY: args.modelRegistryPath }),
  };
}

/** Requests SageMaker sends one instance at once: what the worker admits without answering 429 `busy`. */
export function maxConcurrentInvocations(maxBatchImages: number): number {
  return 2 * maxBatchImages;
}
