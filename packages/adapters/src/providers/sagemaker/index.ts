export { CUSTOM_ATTRIBUTES_HEADER, formatSignatureAttributes, parseSignatureAttributes } from '@stipple/jobs';
export { SageMakerError } from './sagemaker-error.ts';
export { sageMakerSettingsSchema } from './sagemaker-settings.ts';
