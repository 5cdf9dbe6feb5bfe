/**
 * The scoring loop: generate each evaluation prompt with its fixed seed, read the image back with the deterministic
 * scorer, and count how often each word of the prompt came out right, separately for in-distribution and held-out
 * prompts (held-out accuracy is the generalisation the model is for).
 */
import {
  type GeneratedImage,
  type GenerationRecord,
  generate,
  type StableDiffusionModel,
} from '../../packages/core/src/index.ts';
import type { EvalPrompt } from './eval-prompts.ts';
import { type ImageScore, scoreImage } from './score-image.ts';

/** The words of a scene the scorer reads back, in report order. */
export const SCORED_ATTRIBUTES = ['colour', 'background', 'shape', 'position', 'size'] as const;
export type ScoredAttribute = (typeof SCORED_ATTRIBUTES)[number];

/** Generation settings; each left out takes the model's default. */
export interface EvaluateOptions {
  steps?: number;
  guidance?: number;
  scheduler?: string;
  /** The tiny-shapes world is 64×64; another size is read proportionally by the scorer. */
  size?: number;
  /** Called after each image is scored (to save it, to show progress); awaited before the next prompt. */
  onImage?: (result: PromptResult, image: GeneratedImage, record: GenerationRecord) => void | Promise<void>;
}

/** One prompt's outcome. */
export interface PromptResult {
  /** Position in the prompt list given to `evaluateModel`. */
  index: number;
  item: EvalPrompt;
  score: ImageScore;
  correct: Record<ScoredAttribute, boolean>;
  /** The engine's `record.timings.totalMs`: text encoding to decoded pixels. */
  ms: number;
}

/** Accuracy per attribute over a group of prompts (NaN for an empty group), plus how many had every word right. */
export interface GroupAccuracy extends Record<ScoredAttribute, number> {
  count: number;
  allCorrect: number;
}

export interface EvaluationResult {
  results: PromptResult[];
  inDistribution: GroupAccuracy;
  heldOut: GroupAccuracy;
  overall: GroupAccuracy;
  medianMs: number;
  /** What the engine actually used (the model's defaults where options left them out), from the first record. */
  settings: { steps: number; guidance: number; scheduler: string; width: number; height: number } | undefined;
}

/** Accuracy of each attribute over `results`. */
export function groupAccuracy(results: readonly PromptResult[]): GroupAccuracy {
  const share = (hit: (result: PromptResult) => boolean) =>
    results.length === 0 ? Number.NaN : results.filter(hit).length / results.length;
  const accuracy = { count: results.length } as GroupAccuracy;
  for (const attribute of SCORED_ATTRIBUTES) accuracy[attribute] = share((result) => result.correct[attribute]);
  accuracy.allCorrect = share((result) => SCORED_ATTRIBUTES.every((attribute) => result.correct[attribute]));
  return accuracy;
}

/** Median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Generates and scores every prompt, one image at a time in order (so timings are per image and runs are
 * reproducible), and returns per-prompt results with accuracies for the in-distribution and held-out parts.
 */
export async function evaluateModel(
  model: StableDiffusionModel,
  prompts: readonly EvalPrompt[],
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const size = options.size ?? 64;
  const results: PromptResult[] = [];
  let settings: EvaluationResult['settings'];
  for (const [index, item] of prompts.entries()) {
    const { images, record } = await generate(model, {
      prompt: item.prompt,
      seed: item.seed,
      width: size,
      height: size,
      steps: options.steps,
      guidance: options.guidance,
      scheduler: options.scheduler,
    });
    const [image] = images;
    settings ??= {
      steps: record.steps,
      guidance: record.guidance,
      scheduler: record.scheduler.name,
      width: record.width,
      height: record.height,
    };
    const score = scoreImage(image.pixels, image.width, image.height);
    const correct = Object.fromEntries(
      SCORED_ATTRIBUTES.map((attribute) => [attribute, score[attribute] === item.scene[attribute]]),
    ) as Record<ScoredAttribute, boolean>;
    const result = { index, item, score, correct, ms: record.timings.totalMs };
    results.push(result);
    await options.onImage?.(result, image, record);
  }
  return {
    results,
    inDistribution: groupAccuracy(results.filter((result) => !result.item.heldOut)),
    heldOut: groupAccuracy(results.filter((result) => result.item.heldOut)),
    overall: groupAccuracy(results),
    medianMs: median(results.map((result) => result.ms)),
    settings,
  };
}
