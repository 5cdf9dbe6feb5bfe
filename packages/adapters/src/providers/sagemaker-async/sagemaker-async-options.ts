import { boundedNumber } from '@stipple/jobs';
import { z } from 'zod';
import { sageMakerSettingsSchema } from '../sagemaker/sagemaker-settings.ts';

export const sageMakerAsyncSettingsSchema = sageMakerSettingsSchema.extend({
  id: sageMakerSettingsSchema.shape.id.default('sagemaker-async'),
  /** Where jobs are staged for SageMaker to read: bucket (default: the job's output bucket) and key prefix. */
  input: z
    .strictObject({ bucket: z.string().min(3).optional(), keyPrefix: z.string().min(1).default('sagemaker-inputs') })
    .default({ keyPrefix: 'sagemaker-inputs' }),
});

/**
 * Per-call options of `sagemaker-async`, under `providerOptions['sagemaker-async']`, in SageMaker's ranges
 * (SageMaker Runtime API Reference, InvokeEndpointAsync).
 */
export const sageMakerAsyncCallOptionsSchema = z.strictObject({
  /** Seconds the request may wait in SageMaker's queue before it is dropped, 60–21600; SageMaker's default 21600. */
  requestTtlSeconds: boundedNumber('requestTtlSeconds', { min: 60, max: 21_600, step: 1 }).optional(),
  /** Seconds the container has to answer, 1–3600; SageMaker's default 900. */
  invocationTimeoutSeconds: boundedNumber('invocationTimeoutSeconds', { min: 1, max: 3_600, step: 1 }).optional(),
});
