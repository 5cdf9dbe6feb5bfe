export {
  REALTIME_LIMIT_SECONDS,
  sageMakerRealtimeCallOptionsSchema,
  sageMakerRealtimeSettingsSchema,
} from './sagemaker-realtime-options.ts';
export { SageMakerRealtimeProvider, type SageMakerRealtimeProviderOptions } from './sagemaker-realtime-provider.ts';
