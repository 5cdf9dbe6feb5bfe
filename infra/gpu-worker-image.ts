import { join } from 'node:path';
import * as aws from '@pulumi/aws';
import * as dockerBuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';

/** Build context and Dockerfile, relative to the repository root (docs/gpu-worker.md, "The image"). */
export const GPU_WORKER_DOCKERFILE = 'functions/gpu-worker/Dockerfile';

/** Images kept in the repository; older ones are expired by ECR's lifecycle policy. */
const KEPT_IMAGES = 10;

/**
 * The gpu-worker image, built from the repository with BuildKit (docker-build provider, as SST's own container
 * components do) and pushed to a private ECR repository. SageMaker pulls it by digest, so a rebuild is a new model.
 */
export function createGpuWorkerImage(args: { repositoryRoot: string; forceDelete: boolean }) {
  const repository = new aws.ecr.Repository('GpuWorkerRepository', {
    imageTagMutability: 'MUTABLE',
    imageScanningConfiguration: { scanOnPush: true },
    forceDelete: args.forceDelete,
  });
  const lifecyclePolicy = new aws.ecr.LifecyclePolicy('GpuWorkerRepositoryLifecycle', {
    repository: repository.name,
    policy: JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: `keep the last ${KEPT_IMAGES} images`,
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: KEPT_IMAGES },
          action: { type: 'expire' },
        },
      ],
    }),
  });
  const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId });
  const image = new dockerBuild.Image('GpuWorkerImage', {
    context: { location: args.repositoryRoot },
    dockerfile: { location: join(args.repositoryRoot, GPU_WORKER_DOCKERFILE) },
    // SageMaker's GPU instances are x86_64.
    platforms: ['linux/amd64'],
    push: true,
    tags: [pulumi.interpolate`${repository.repositoryUrl}:latest`],
    registries: [{ address: repository.repositoryUrl, username: token.userName, password: token.password }],
  });
  const imageUri = pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`;
  return { repository, lifecyclePolicy, image, imageUri };
}
