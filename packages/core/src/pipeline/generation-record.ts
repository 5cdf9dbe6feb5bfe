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
