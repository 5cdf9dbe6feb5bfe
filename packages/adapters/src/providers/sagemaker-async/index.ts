export { sageMakerAsyncCallOptionsSchema, sageMakerAsyncSettingsSchema } from './sagemaker-async-options.ts';
export { SageMakerAsyncProvider, type SageMakerAsyncProviderOptions } from './sagemaker-async-provider.ts';
