/** A SageMaker inference AMI: what a production variant's `InferenceAmiVersion` selects for its GPU instances. */
export interface InferenceAmi {
  version: string;
  /** The NVIDIA driver it carries. */
  nvidiaDriver: string;
  /** The CUDA version of that driver (the newest CUDA it runs without compatibility libraries). */
  cudaVersion: string;
  /** Instance families it supports, as `ml.<family>`. */
  instanceFamilies: string[];
}

/**
 * The gpu-worker's image is CUDA 12 with cuDNN 9 (functions/gpu-worker/Dockerfile). An asynchronous endpoint on ml.g5
 * (and ml.g4dn, ml.p3, ml.p4d) otherwise gets NVIDIA driver 470, CUDA 11.4, on which no CUDA 12 library loads
 * (SageMaker Developer Guide, "Best practices to minimize interruptions during GPU driver upgrades"). This AMI has
 * driver 535 (CUDA 12.2), which runs any CUDA 12.x build through minor version compatibility (NVIDIA, "CUDA
 * Compatibility": 525.60.13 and later); its configuration is from the SageMaker API Reference, ProductionVariant,
 * `InferenceAmiVersion`, which lists `ml.g5` among its instance types. `-2-1` (535) and `-3-1` (550, CUDA 12.4) would
 * run the image too, but differ from it in turning off the container toolkit's CUDA-compat mounting, and the
 * references at hand did not say which instance types `-3-1` supports.
 */
export const GPU_WORKER_INFERENCE_AMI: InferenceAmi = {
  version: 'al2-ami-sagemaker-inference-gpu-2',
  nvidiaDriver: '535.54.03',
  cudaVersion: '12.2',
  instanceFamilies: ['ml.g4dn', 'ml.g5', 'ml.g6', 'ml.p3', 'ml.p4d', 'ml.p4de', 'ml.p5'],
};

/** The oldest Linux driver that runs CUDA 12.x applications (NVIDIA, "CUDA Compatibility", minor version compatibility). */
export const CUDA_12_MINIMUM_DRIVER = '525.60.13';

/** The inference AMI for an instance type, or an error naming the instance types it supports. */
export function inferenceAmiFor(instanceType: string): InferenceAmi {
  const family = instanceType.split('.').slice(0, 2).join('.');
  const ami = GPU_WORKER_INFERENCE_AMI;
  if (ami.instanceFamilies.includes(family)) return ami;
  throw new Error(
    `STIPPLE_SAGEMAKER_INSTANCE_TYPE is ${instanceType}; the gpu-worker's CUDA 12 image runs on SageMaker's inference ` +
      `AMI ${ami.version} (NVIDIA driver ${ami.nvidiaDriver}), which supports ${ami.instanceFamilies.map((f) => `${f}.*`).join(', ')}`,
  );
}
