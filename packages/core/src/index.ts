export type { ModelSession, SessionFactory, SessionOptions, Tensor, ValueInfo } from './backend/model-session.ts';
export { onnxRuntimeVersion } from './backend/onnx-session.ts';
export { createThreadedOnnxSession } from './backend/session-thread.ts';
export { AbortError, ExecutionProviderError, ModelError, StippleError, ValidationError } from './errors.ts';
export { formatA1111Parameters } from './image/a1111-parameters.ts';
export {
  type EncodeOptions,
  embeddedRecord,
  encodeImage,
  IMAGE_FORMATS,
  IMAGE_MEDIA_TYPES,
  type ImageFormat,
} from './image/encode-image.ts';
export { encodePreviewPng } from './image/encode-preview-png.ts';
export { readPngTextChunks } from './image/png-text-chunks.ts';
export { type LoadModelOptions, loadModel, type StableDiffusionModel } from './model/load-model.ts';
export type { FamilyDetection, ModelFamily } from './model/model-family.ts';
export {
  listModelFiles,
  MODEL_MANIFEST_FILE,
  type ModelFile,
  type ModelManifest,
  sha256File,
} from './model/model-files.ts';
export { checkWeightsHash, type WeightsCheck } from './model/model-hash.ts';
export { createBatchGenerator } from './noise/batch-generator.ts';
export type { RandomGenerator } from './noise/random-generator.ts';
export { createGenerator, randomSeed } from './noise/torch-generator.ts';
export { type EditInputs, sha256Hex } from './pipeline/edit-inputs.ts';
export {
  type GenerateOptions,
  type GenerationJob,
  type GenerationOutcome,
  type GenerationProgress,
  generate,
  generateBatch,
  generationBatchKey,
} from './pipeline/generate.ts';
export type {
  EditRecord,
  GeneratedImage,
  GenerationRecord,
  GenerationResult,
} from './pipeline/generation-record.ts';
export type { GenerationRequest } from './pipeline/generation-request.ts';
export type { LatentPreview } from './pipeline/latent-preview.ts';
export { parseRecordJson, stringifyRecordJson } from './pipeline/record-json.ts';
export type { StageTimings } from './pipeline/stage-timer.ts';
export { checkImageSafety, NOT_CHECKED } from './safety/check-image-safety.ts';
export type { SafetyChecker } from './safety/safety-checker.ts';
export { createScheduler, schedulerNameForClass } from './schedulers/create-scheduler.ts';
export type { Scheduler, SchedulerStepResult } from './schedulers/scheduler.ts';
export { type ClipTokenizer, loadClipTokenizer } from './tokenizer/clip-tokenizer.ts';
