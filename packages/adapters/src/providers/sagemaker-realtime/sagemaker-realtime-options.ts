import { z } from 'zod';
import { sageMakerSettingsSchema } from '../sagemaker/sagemaker-settings.ts';

/**
 * SageMaker real-time inference ends an invocation whose container has not answered within 60 seconds
 * (SageMaker Developer Guide, "Real-time inference": invocation timeout). Longer jobs belong on `sagemaker-async`.
 */
export const REALTIME_LIMIT_SECONDS = 60;

export const sageMakerRealtimeSettingsSchema = sageMakerSettingsSchema.extend({
  id: sageMakerSettingsSchema.shape.id.default('sagemaker-realtime'),
});

/** Per-call options of `sagemaker-realtime`, under `providerOptions['sagemaker-realtime']`. */
export const sageMakerRealtimeCallOptionsSchema = z.strictObject({
  /** The production variant to invoke (`TargetVariant`); default: SageMaker's weighted choice. */
  targetVariant: z.string().min(1).max(63).optional(),
});
