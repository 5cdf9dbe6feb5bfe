import { boundedNumber } from '@stipple/jobs';
import { z } from 'zod';
import { awsCredentialsSchema } from '../../aws/aws-credentials.ts';

/** Settings both SageMaker providers share. */
export const sageMakerSettingsSchema = z.strictObject({
  /** This instance's name in a pool and in logs. */
  id: z.string().min(1),
  /** The endpoint's name (SageMaker API Reference, CreateEndpoint, `EndpointName`). */
  endpointName: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, {
    error: (issue) =>
      `endpointName ${JSON.stringify(issue.input)} is invalid; use 1–63 letters, digits and hyphens, starting and ending with a letter or digit`,
  }),
  region: z.string().min(1),
  credentials: awsCredentialsSchema,
  /** SageMaker Runtime's base URL; default `https://runtime.sagemaker.{region}.amazonaws.com`. */
  runtimeUrl: z.url().optional(),
  /** SageMaker's control-plane base URL (DescribeEndpoint, for health); default `https://api.sagemaker.{region}.amazonaws.com`. */
  apiUrl: z.url().optional(),
  /** The model ids the endpoint's container serves: SageMaker cannot list them. */
  models: z.array(z.string().min(1)).min(1, { error: 'models is empty; list the model ids the endpoint serves' }),
  /** The worker's `WORKER_SECRET`: the job is signed for the container as for any worker. */
  workerSecret: z.string().min(16, {
    error: (issue) => `workerSecret is ${String(issue.input).length} characters; use the worker secret (at least 16)`,
  }),
  /** Images one batch generates at most: the worker's `MAX_BATCH_IMAGES`; default 1. */
  maxBatch: boundedNumber('maxBatch', { min: 1, step: 1 }).default(1),
});
