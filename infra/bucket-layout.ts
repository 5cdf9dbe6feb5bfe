/**
 * The key prefixes of the result bucket, each with one writer, so IAM can grant by prefix:
 * the gpu-worker writes `outputs/{tenant}/{job}/…` (docs/gpu-worker.md), input images (uploads, data URLs, fetched URLs)
 * live under `inputs/{tenant}/{upload}` (written by the edge or a presigned PUT it signed), the edge stages SageMaker jobs under
 * `sagemaker-inputs/` (@stipple/adapters' default), SageMaker writes its own responses and failures, and models
 * published with `stipple manifest` live under `models/`.
 */
export interface BucketLayout {
  /** Results and manifests; the router's `S3_KEY_PREFIX`. */
  outputs: string;
  /** Input images of image-to-image and inpainting jobs; the router's `S3_INPUT_PREFIX`. */
  inputs: string;
  sagemakerInputs: string;
  sagemakerOutputs: string;
  sagemakerFailures: string;
  models: string;
}

export function bucketLayout(outputs: string): BucketLayout {
  return {
    outputs,
    inputs: 'inputs',
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
