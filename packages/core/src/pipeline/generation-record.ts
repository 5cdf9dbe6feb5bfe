import type { ContentFilter } from '@stipple/jobs';
import type { ModelFamily } from '../model/model-family.ts';
import type { StageTimings } from './stage-timer.ts';

/** Everything needed to reproduce an image bit for bit, and to explain how long it took. */
export interface GenerationRecord {
  model: { id: string; family: ModelFamily; weightsHash: string };
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  guidance: number;
  guidanceRescale: number;
  /** Text-encoder layers skipped from the end (A1111's "Clip skip"); 1 = none. */
  clipSkip: number;
  scheduler: { name: string; className: string; config: Record<string, unknown> };
  /** The seed of each image, in order (the first seed plus the image's index). */
  seeds: number[];
  onnxRuntimeVersion: string;
  executionProviders: string[];
  /** What checked every image (`safety_checker`, the model's), or null when nothing did (no checker, or turned off). */
  safetyChecker: string | null;
  /** Notes a caller should see: a scheduler substituted for one the engine lacks. */
  warnings: string[];
  timings: StageTimings;
  /** Image-to-image and inpainting: the inputs and how they were used. Absent for text-to-image. */
  edit?: EditRecord;
  /** SDXL refiner (`requires_aesthetics_score`): the aesthetic score in the prompt's `time_ids`. Absent otherwise. */
  aestheticScore?: number;
  /** SDXL refiner under classifier-free guidance: the aesthetic score in the negative prompt's `time_ids`. */
  negativeAestheticScore?: number;
}

/** The inputs of an image-to-image or inpainting request, named by the SHA-256 of their file bytes. */
export interface EditRecord {
  /** SHA-256 of the input image file, lowercase hex. */
  imageSha256: string;
  /** How much of the schedule ran over the image, 0–1 (the steps run: `denoisingSteps(steps, strength)`). */
  strength: number;
  /** SHA-256 of the mask file (inpainting). */
  maskSha256?: string;
  /** Mask blur, pixels (inpainting). */
  maskBlur?: number;
  /** Whether the unmasked pixels were pasted back (inpainting). */
  preserveUnmasked?: boolean;
}

export interface GeneratedImage {
  /** Interleaved 8-bit RGB, row-major, `width * height * 3` bytes. */
  pixels: Uint8Array;
  width: number;
  height: number;
  seed: number;
  /** The model's safety checker's verdict on this image; `checked: false` when none ran (never read that as safe). */
  contentFilter: ContentFilter;
}

export interface GenerationResult {
  images: GeneratedImage[];
  record: GenerationRecord;
}
