import { MAX_SEED } from '@stipple/jobs';
import type { Tensor } from '../backend/model-session.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { createBatchGenerator } from '../noise/batch-generator.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import { createGenerator, randomSeed } from '../noise/torch-generator.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';
import { checkDistinctTimesteps } from './distinct-timesteps.ts';
import { encodePrompts, withZeroNegative } from './encode-prompts.ts';
import { type GenerationRequest, type ResolvedRequest, resolveRequest } from './generation-request.ts';
import { resolveScheduler } from './resolve-scheduler.ts';
import { StageTimer } from './stage-timer.ts';
import { type PromptText, type TokenizedPrompts, tokenizePrompts } from './tokenize-prompts.ts';
import { unetConditioning } from './unet-conditioning.ts';

/** One request checked and resolved, before any model runs: enough to tell which requests can share a UNet batch. */
export interface PlannedGeneration {
  settings: ResolvedRequest;
  scheduler: Scheduler;
  warnings: string[];
  /** Classifier-free guidance: the UNet runs each image twice, unconditional then conditional. */
  guided: boolean;
  /** The texts to encode, chunked; the chunk count sets the UNet's sequence length. */
  prompts: TokenizedPrompts;
  /** SDXL with no negative prompt under guidance: zero unconditional embeddings instead of encoding "". */
  zeroNegative: boolean;
}

/** A planned request with its prompts encoded and its starting noise drawn: ready for the denoising loop. */
export interface PreparedGeneration extends PlannedGeneration {
  timer: StageTimer;
  seeds: number[];
  /** The UNet inputs that stay fixed through the loop, with this request's rows only. */
  conditioning: Record<string, Tensor>;
  /** `[n, channels, height / factor, width / factor]` latents, flattened. */
  latents: Float32Array;
  latentDims: number[];
  generator: RandomGenerator;
}

/**
 * Checks a request, fills its defaults and tokenizes its prompts (step 1 of the pipeline). Throws a `ValidationError`
 * naming bad values.
 */
export function planGeneration(
  model: StableDiffusionModel,
  request: GenerationRequest,
  timer = new StageTimer(),
): PlannedGeneration {
  const settings = resolveRequest(request, model);
  const { scheduler, warnings } = resolveScheduler(model, settings.scheduler);
  checkDistinctTimesteps(scheduler, settings.steps);
  const usesGuidanceEmbedding = model.unet.contract.timestepCondDim !== undefined;
  const guided = settings.guidance > 1 && !usesGuidanceEmbedding;
  // The negative prompt is encoded only under guidance, and for SDXL only when given (else zeros).
  const zeroNegative = guided && settings.negativePrompt === undefined && model.forceZerosForEmptyPrompt;
  const texts: PromptText[] = [{ field: 'prompt', text: settings.prompt }];
  if (guided && !zeroNegative) texts.unshift({ field: 'negative_prompt', text: settings.negativePrompt ?? '' });
  const prompts = timer.measure('tokenizeMs', () => tokenizePrompts(model, texts, settings.clipSkip));
  return { settings, scheduler, warnings, guided, prompts, zeroNegative };
}

/**
 * Which requests can be denoised together: the same size, step count, scheduler, guidance layout and prompt chunk
 * count give the same timesteps and UNet input shapes. Prompts, seeds, guidance scales and image counts may differ.
 */
export function batchKey(plan: PlannedGeneration): string {
  const { settings, scheduler, guided, prompts } = plan;
  const layout = `${guided ? 'cfg' : 'single'}${prompts.chunkCount > 1 ? `/${prompts.chunkCount}-chunks` : ''}`;
  return `${settings.width}x${settings.height}/${settings.steps}/${scheduler.name}/${layout}`;
}

/** Steps 2–4 of the pipeline for one request: encode its prompts, set timesteps, draw each image's noise. */
export async function prepareGeneration(
  model: StableDiffusionModel,
  plan: PlannedGeneration,
  timer = new StageTimer(),
): Promise<PreparedGeneration> {
  const { settings, scheduler, prompts, zeroNegative } = plan;
  const batch = settings.n;
  const firstSeed = settings.seed ?? randomSeed();
  const seeds = Array.from({ length: batch }, (_, i) => (firstSeed + i) % (MAX_SEED + 1));

  // 2. Encode the prompt (and the negative prompt for classifier-free guidance) in one text-encoder batch.
  const encoded = await encodePrompts(model, prompts, timer);
  const conditioning = unetConditioning(model, zeroNegative ? withZeroNegative(encoded) : encoded, {
    images: batch,
    guidance: settings.guidance,
    width: settings.width,
    height: settings.height,
  });

  // 3. Prepare timesteps.
  timer.measure('schedulerMs', () => scheduler.setTimesteps(settings.steps));

  // 4. Prepare latents: each image's noise from its own seed, scaled to the scheduler's initial sigma.
  const factor = model.vaeDecoder.spatialFactor;
  const latentDims = [model.unet.latentChannels, settings.height / factor, settings.width / factor];
  const generator = createBatchGenerator(seeds.map(createGenerator));
  const noise = generator.randn(batch * latentDims[0] * latentDims[1] * latentDims[2]);
  const initNoiseSigma = scheduler.initNoiseSigma;
  const latents = noise.map((value) => value * initNoiseSigma);
  return { ...plan, timer, seeds, conditioning, latents, latentDims, generator };
}
