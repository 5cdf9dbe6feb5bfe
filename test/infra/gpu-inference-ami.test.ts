import { describe, expect, it } from 'vitest';
import { CUDA_12_MINIMUM_DRIVER, GPU_WORKER_INFERENCE_AMI } from '../../infra/gpu-inference-ami.ts';
import { imageCudaVersion } from '../gpu-worker-image-cuda.ts';
import { deployUnderMocks } from './support/deploy-stack.ts';
import { theResource } from './support/pulumi-mocks.ts';

const major = (version: string) => Number(version.split('.')[0]);
const numbers = (version: string) => version.split('.').map(Number);
const atLeast = (version: string, minimum: string) => {
  const [a, b] = [numbers(version), numbers(minimum)];
  const index = a.findIndex((part, i) => part !== b[i]);
  return index === -1 || a[index] > b[index];
};

async function variant(env: Record<string, string> = {}) {
  const { resources } = await deployUnderMocks(env);
  const config = theResource(resources, 'aws:sagemaker/endpointConfiguration:EndpointConfiguration');
  return config.inputs.productionVariants[0];
}

describe('the GPU endpoint’s inference AMI', () => {
  it('pins the AMI whose driver runs the image’s CUDA, on the instance type deployed', async () => {
    const { inferenceAmiVersion, instanceType } = await variant();
    expect(inferenceAmiVersion).toBe(GPU_WORKER_INFERENCE_AMI.version);
    expect(GPU_WORKER_INFERENCE_AMI.instanceFamilies).toContain(instanceType.split('.').slice(0, 2).join('.'));
    expect(major(GPU_WORKER_INFERENCE_AMI.cudaVersion)).toBe(major(imageCudaVersion()));
    expect(atLeast(GPU_WORKER_INFERENCE_AMI.nvidiaDriver, CUDA_12_MINIMUM_DRIVER)).toBe(true);
  });

  it('takes any instance type the AMI supports and refuses the others at deploy', async () => {
    await expect(variant({ STIPPLE_SAGEMAKER_INSTANCE_TYPE: 'ml.g4dn.xlarge' })).resolves.toMatchObject({
      inferenceAmiVersion: GPU_WORKER_INFERENCE_AMI.version,
    });
    await expect(variant({ STIPPLE_SAGEMAKER_INSTANCE_TYPE: 'ml.inf2.xlarge' })).rejects.toThrow(
      /ml\.inf2\.xlarge.*al2-ami-sagemaker-inference-gpu-2.*ml\.g5\.\*/,
    );
  });
});
