/**
 * The key prefixes of the result bucket, each with one writer, so IAM can grant by prefix:
 * the gpu-worker writes `outputs/{tenant}/{job}/…` (docs/gpu-worker.md), the edge stages SageMaker jobs under
 * `sagemaker-inputs/` (@stipple/adapters' default), SageMaker writes its own responses and failures, and models
 * published with `stipple manifest` live under `models/`.
 */
export interface BucketLayout {
  /** Results and manifests; the router's `S3_KEY_PREFIX`. */
  outputs: string;
  sagemakerInputs: string;
  sagemakerOutputs: string;
  sagemakerFailures: string;
  models: string;
}

export function bucketLayout(outputs: string): BucketLayout {
  return {
    outputs,
    sagemakerInputs: 'sagemaker-inputs',
    sagemakerOutputs: 'sagemaker-outputs',
    sagemakerFailures: 'sagemaker-failures',
    models: 'models',
  };
}

/** The ARN pattern of every object under `prefix` in the bucket `bucketArn`. */
export function objectsUnder(bucketArn: string, prefix: string): string {
  return `${bucketArn}/${prefix}/*`;
}
