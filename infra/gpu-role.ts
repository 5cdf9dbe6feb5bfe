import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type BucketLayout, objectsUnder } from './bucket-layout.ts';

/**
 * The SageMaker execution role: what SageMaker does on the endpoint's behalf (pull the image, read staged requests,
 * write responses and failures, logs and metrics) and what the gpu-worker does with it (read its secret, write results
 * under the outputs prefix, read input images and models). Nothing else in the bucket, no other bucket, and no other secret.
 */
export function createGpuRole(args: {
  bucket: aws.s3.Bucket;
  layout: BucketLayout;
  repository: aws.ecr.Repository;
  /** The Secrets Manager secret holding the worker's HMAC secret (`WORKER_SECRET_ARN`). */
  workerSecretArn: pulumi.Input<string>;
}) {
  const role = new aws.iam.Role('GpuWorkerRole', {
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  const under = (prefix: string) => args.bucket.arn.apply((arn) => objectsUnder(arn, prefix));
  const policy = new aws.iam.RolePolicy('GpuWorkerRolePolicy', {
    role: role.id,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadWorkerSecret',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue'],
          Resource: [args.workerSecretArn],
        },
        {
          Sid: 'WriteResults',
          Effect: 'Allow',
          // GetObject: the worker's "manifest exists?" check and its HEAD before writing on stores without
          // conditional writes.
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [under(args.layout.outputs)],
        },
        { Sid: 'ReadModels', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [under(args.layout.models)] },
        // Image-to-image and inpainting jobs name their input images by key under the inputs prefix.
        { Sid: 'ReadInputs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [under(args.layout.inputs)] },
        {
          Sid: 'ReadStagedRequests',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: [under(args.layout.sagemakerInputs)],
        },
        {
          Sid: 'WriteResponses',
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: [under(args.layout.sagemakerOutputs), under(args.layout.sagemakerFailures)],
        },
        // Without it a missing manifest is 403, not 404 (see edge-credentials.ts).
        { Sid: 'NotFoundIsNotDenied', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [args.bucket.arn] },
        {
          Sid: 'PullImage',
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: [args.repository.arn],
        },
        // GetAuthorizationToken has no resource-level permissions (ECR User Guide, "Private repository policies").
        { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
        {
          Sid: 'Logs',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: ['arn:aws:logs:*:*:log-group:/aws/sagemaker/*'],
        },
        // PutMetricData has no resource-level permissions either; limit it to SageMaker's namespace.
        {
          Sid: 'Metrics',
          Effect: 'Allow',
          Action: ['cloudwatch:PutMetricData'],
          Resource: ['*'],
          Condition: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'AWS/SageMaker'] } },
        },
      ],
    }),
  });
  return { role, policy };
}
