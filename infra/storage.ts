import * as aws from '@pulumi/aws';
import { bucketLayout } from './bucket-layout.ts';
import type { DeployConfig } from './deploy-config.ts';

export interface StorageArgs {
  /** `keyPrefix`, `outputExpiryDays` (results and SageMaker's staged requests, responses and failures),
   * `inputExpiryDays` (input images) and `corsOrigins` (origins a browser may GET results from, presigned URLs in an
   * `<img>` or `fetch`, and PUT uploads to). */
  config: Pick<DeployConfig, 'keyPrefix' | 'outputExpiryDays' | 'inputExpiryDays' | 'corsOrigins'>;
  /** Delete the objects with the bucket on `sst remove` (every stage but production). */
  forceDestroy: boolean;
}

/** Multipart uploads never completed still cost storage; S3 keeps them until told otherwise. */
const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7;

/**
 * The private result bucket: no public access, owner-enforced objects, expiring outputs and inputs (inputs sooner: a
 * job reads them within its deadline, at most an hour), CORS for GET and for presigned PUT uploads.
 */
export function createStorage(args: StorageArgs) {
  const layout = bucketLayout(args.config.keyPrefix);
  const bucket = new aws.s3.Bucket('ResultBucket', {
    bucketPrefix: 'stipple-results-',
    forceDestroy: args.forceDestroy,
  });
  // Everything is reached through presigned URLs or IAM principals; nothing is ever public.
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock('ResultBucketPublicAccessBlock', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  const ownership = new aws.s3.BucketOwnershipControls('ResultBucketOwnership', {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  const expiringPrefixes = [layout.outputs, layout.sagemakerInputs, layout.sagemakerOutputs, layout.sagemakerFailures];
  const lifecycle = new aws.s3.BucketLifecycleConfiguration('ResultBucketLifecycle', {
    bucket: bucket.id,
    rules: [
      ...expiringPrefixes.map((prefix) => ({
        id: `expire-${prefix}`,
        status: 'Enabled',
        filter: { prefix: `${prefix}/` },
        expiration: { days: args.config.outputExpiryDays },
      })),
      {
        id: `expire-${layout.inputs}`,
        status: 'Enabled',
        filter: { prefix: `${layout.inputs}/` },
        expiration: { days: args.config.inputExpiryDays },
      },
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: { prefix: '' },
        abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS },
      },
    ],
  });
  const cors = new aws.s3.BucketCorsConfiguration('ResultBucketCors', {
    bucket: bucket.id,
    corsRules: [
      {
        allowedMethods: ['GET', 'HEAD'],
        allowedOrigins: args.config.corsOrigins,
        allowedHeaders: ['*'],
        exposeHeaders: ['Content-Length', 'Content-Type', 'ETag'],
        maxAgeSeconds: 3600,
      },
      {
        // A browser PUTting an input to its presigned URL (POST /v1/uploads): the signature, not CORS, limits the key,
        // type and size; Content-Length is set by the browser and never preflighted.
        allowedMethods: ['PUT'],
        allowedOrigins: args.config.corsOrigins,
        allowedHeaders: ['content-type'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 3600,
      },
    ],
  });
  return { bucket, layout, publicAccessBlock, ownership, lifecycle, cors };
}

export type Storage = ReturnType<typeof createStorage>;
