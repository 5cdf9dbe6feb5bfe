import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type BucketLayout, objectsUnder } from './bucket-layout.ts';

export interface EdgeCredentialsArgs {
  bucket: aws.s3.Bucket;
  layout: BucketLayout;
  /** The SageMaker endpoint the router submits to, when there is one. */
  sagemakerEndpointArn: pulumi.Input<string> | undefined;
}

/**
 * The router's AWS identity (`S3_ACCESS_KEY_ID` / `S3_SECRET_ACCESS_KEY`): an IAM user and its access key. The router
 * presigns result URLs at the edge, and SigV4 query signing needs a secret key; a Worker has no IAM role to assume. It
 * may read the outputs prefix, and write and read input images under `inputs/` (presigned uploads, and what it stores
 * and checks itself), and nothing else in the bucket: a presigned URL can do no more than its signer, and only the one
 * GET or PUT it was signed for. With SageMaker the router signs its calls with the same identity
 * (functions/router/src/providers/provider-config.ts), so it may also stage jobs under `sagemaker-inputs/`, read
 * SageMaker's responses and failures, and invoke and describe that one endpoint. `s3:ListBucket` (key names only) is
 * there because without it S3 answers 403 instead of 404 for a missing object (S3 User Guide, GetObject
 * "Permissions"), and a manifest not written yet would read as `storage_denied`.
 */
export function createEdgeCredentials(args: EdgeCredentialsArgs) {
  const under = (prefix: string) => args.bucket.arn.apply((arn) => objectsUnder(arn, prefix));
  const sagemaker =
    args.sagemakerEndpointArn === undefined
      ? []
      : [
          {
            Sid: 'InvokeEndpoint',
            Effect: 'Allow',
            Action: ['sagemaker:InvokeEndpointAsync', 'sagemaker:DescribeEndpoint'],
            Resource: [args.sagemakerEndpointArn],
          },
          {
            Sid: 'StageJobs',
            Effect: 'Allow',
            Action: ['s3:PutObject'],
            Resource: [under(args.layout.sagemakerInputs)],
          },
          {
            Sid: 'ReadSageMakerResponses',
            Effect: 'Allow',
            Action: ['s3:GetObject'],
            Resource: [under(args.layout.sagemakerOutputs), under(args.layout.sagemakerFailures)],
          },
        ];
  const user = new aws.iam.User('EdgeUser', { path: '/stipple/' });
  const policy = new aws.iam.UserPolicy('EdgeUserPolicy', {
    user: user.name,
    policy: pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadOutputs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [under(args.layout.outputs)] },
        // Input images: stored from data URLs and fetched URLs, read back from uploads (to check and digest them), and
        // PUT by clients through URLs this key presigns.
        {
          Sid: 'StoreInputs',
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:GetObject'],
          Resource: [under(args.layout.inputs)],
        },
        { Sid: 'NotFoundIsNotDenied', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [args.bucket.arn] },
        ...sagemaker,
      ],
    }),
  });
  const accessKey = new aws.iam.AccessKey('EdgeUserKey', { user: user.name });
  return { user, policy, accessKey };
}
