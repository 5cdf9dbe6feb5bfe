export { ApiError, type ApiErrorOptions, type ApiErrorType, apiErrorFromEnvelope } from './api-error.ts';
export {
  type ContentFilter,
  contentFilterSchema,
  IMAGE_SAFETY_MODES,
  type ImageSafetyMode,
  type JobSafety,
  jobSafetySchema,
} from './content-filter-schema.ts';
export { denoisingSteps } from './denoising-steps.ts';
export { boundedNumber, describeValue } from './field-rules.ts';
export {
  GENERATION_LIMITS,
  MAX_INPUT_IMAGE_BYTES,
  MAX_INPUT_IMAGE_SIDE,
  MAX_PROMPT_CHARACTERS,
  MAX_SEED,
  type NumberRange,
  SCHEDULERS,
  type Scheduler,
} from './generation-limits.ts';
export {
  type GenerationParameters,
  generationParametersSchema,
  type InputImage,
  inputImageSchema,
} from './generation-parameters-schema.ts';
export { bytesToHex, hexToBytes } from './hex.ts';
export { INPUT_IMAGE_CONTENT_TYPES, type InputImageContentType, imageTypeOf } from './input-image-type.ts';
export {
  JOB_CANCELED,
  type JobEvent,
  type JobEventInput,
  jobEventSchema,
  WORKER_SHUTTING_DOWN,
} from './job-event-schema.ts';
export {
  type Job,
  type JobInput,
  type JobOutput,
  jobOutputSchema,
  jobSchema,
  OUTPUT_FORMATS,
  type OutputFormat,
  PREVIEW_EVERY,
  type ProgressCallback,
  progressCallbackSchema,
} from './job-schema.ts';
export { type FieldError, type ParseJobResult, parseJob } from './parse-job.ts';
export {
  readSignatureHeaders,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  type SignatureHeaders,
  type SignRequestOptions,
  signRequest,
  TIMESTAMP_HEADER,
  type VerifyRequestOptions,
  type VerifyRequestResult,
  verifyRequest,
} from './request-signature.ts';
export {
  contentTypeFor,
  manifestKey,
  type ResultManifest,
  resultKey,
  resultManifestSchema,
} from './result-manifest-schema.ts';
export {
  parseServerSentEvents,
  readServerSentEvents,
  type ServerSentEvent,
  type ServerSentEventParser,
  serverSentEventParser,
} from './server-sent-events.ts';
export {
  CUSTOM_ATTRIBUTES_HEADER,
  formatSignatureAttributes,
  parseSignatureAttributes,
} from './signature-attributes.ts';
export { StippleError, type StippleErrorOptions } from './stipple-error.ts';
export { StorageError, type StorageErrorCode, type StorageErrorOptions } from './storage-error.ts';
