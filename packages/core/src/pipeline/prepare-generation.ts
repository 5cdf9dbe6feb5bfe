import { denoisingSteps, MAX_SEED } from '@stipple/jobs';
import type { Tensor } from '../backend/model-session.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { createBatchGenerator } from '../noise/batch-generator.ts';
import type { RandomGenerator } from '../noise/random-generator.ts';
import { createGenerator, randomSeed } from '../noise/torch-generator.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';
import { checkDistinctTimesteps } from './distinct-timesteps.ts';
import { type EditInputs, sha256Hex } from './edit-inputs.ts';
import { encodePrompts, withZeroNegative } from './encode-prompts.ts';
import { type GenerationRequest, type ResolvedRequest, resolveRequest } from './generation-request.ts';
import { type PreparedEdit, prepareEdit } from './prepare-edit.ts';
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
  /** Where in the schedule the loop starts: 0 for text-to-image, `steps − denoisingSteps(steps, strength)` for edits. */
  startIndex: number;
  /** The decoded input files of an image-to-image or inpainting request. */
  inputs: EditInputs | undefined;
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
  /** The timesteps the loop runs: the scheduler's, from `startIndex` on. */
  timesteps: readonly number[];
  /** Image-to-image and inpainting state; undefined for text-to-image. */
  edit: PreparedEdit | undefined;
}

/**
 * Checks a request, fills its defaults and tokenizes its prompts (step 1 of the pipeline). Throws a `ValidationError`
 * naming bad values. An edit request's default size comes from its decoded `inputs`; without them it is checked but
 * not sized.
 */
export function planGeneration(
  model: StableDiffusionModel,
  request: GenerationRequest,
  inputs?: EditInputs,
  timer = new StageTimer(),
): PlannedGeneration {
  const settings = resolveRequest(request, model, inputs?.image);
  const { scheduler, warnings } = resolveScheduler(model, settings.scheduler);
  checkDistinctTimesteps(scheduler, settings.steps);
  const usesGuidanceEmbedding = model.unet.contract.timestepCondDim !== undefined;
  const guided = settings.guidance > 1 && !usesGuidanceEmbedding;
  // The negative prompt is encoded only under guidance, and for SDXL only when given (else zeros).
  const zeroNegative = guided && settings.negativePrompt === undefined && model.forceZerosForEmptyPrompt;
  const texts: PromptText[] = [{ field: 'prompt', text: settings.prompt }];
  if (guided && !zeroNegative) texts.unshift({ field: 'negative_prompt', text: settings.negativePrompt ?? '' });
  const prompts = timer.measure('tokenizeMs', () => tokenizePrompts(model, texts, settings.clipSkip));
  const startIndex = settings.steps - denoisingSteps(settings.steps, settings.edit?.strength);
  // A provider fallen back from at load is the record's business too: the image was made on another device.
  const allWarnings = [...model.providerFallbacks, ...warnings];
  return { settings, scheduler, warnings: allWarnings, guided, prompts, zeroNegative, startIndex, inputs };
}

/**
 * Which requests can be denoised together: the same size, step count, scheduler, guidance layout and prompt chunk
 * count give the same timesteps and UNet input shapes. Prompts, seeds, guidance scales and image counts may differ.
 */
export function batchKey(plan: PlannedGeneration): string {
  const { settings, scheduler, guided, prompts, startIndex } = plan;
  const layout = `${guided ? 'cfg' : 'single'}${prompts.chunkCount > 1 ? `/${prompts.chunkCount}-chunks` : ''}`;
  const key = `${settings.width}x${settings.height}/${settings.steps}/${scheduler.name}/${layout}`;
  return startIndex === 0 ? key : `${key}/from${startIndex}`;
}

/**
 * `batchKey` before the input files are decoded: an edit request that leaves its size to its image gets its size
 * only once decoded, so its key also names the image (by digest); requests editing one image still share batches.
 * Masks and images are per row in the UNet batch, so they need not match otherwise.
 */
export function requestBatchKey(model: StableDiffusionModel, request: GenerationRequest): string {
  const key = batchKey(planGeneration(model, request));
  const sizedByImage = request.image && (request.width === undefined || request.height === undefined);
  return sizedByImage ? `${key}/image:${sha256Hex(request.image as Uint8Array)}` : key;
}

/** Steps 2–4 of the pipeline for one request: encode its prompts, set timesteps, draw each image's noise. */
export async function prepareGeneration(
  model: StableDiffusionModel,
  plan: PlannedGeneration,
  timer = new StageTimer(),
): Promise<PreparedGeneration> {
  const { settings, scheduler, prompts, zeroNegative, guided } = plan;
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

  // 3. Prepare timesteps: an edit runs only their tail (diffusers' `get_timesteps`). Every schedule's timesteps are
  // distinct (`checkDistinctTimesteps`), so the schedulers find the start by its timestep, as `set_begin_index` sets it.
  timer.measure('schedulerMs', () => scheduler.setTimesteps(settings.steps));
  const timesteps = scheduler.timesteps.slice(plan.startIndex);

  // 4. Prepare latents: each image's noise from its own seed, scaled to the scheduler's initial sigma; an edit starts
  // from its image's latents noised to the first timestep (see `prepareEdit`).
  const factor = model.vaeDecoder.spatialFactor;
  const latentDims = [model.unet.latentChannels, settings.height / factor, settings.width / factor];
  const generator = createBatchGenerator(seeds.map(createGenerator));
  const { edit } = settings;
  if (edit) {
    if (!plan.inputs) throw new TypeError('an edit request must be planned with its decoded inputs');
    const context = {
      settings: { ...settings, edit },
      inputs: plan.inputs,
      scheduler,
      timesteps,
      generator,
      guided,
      timer,
    };
    const prepared = await prepareEdit(model, context);
    return { ...plan, timer, seeds, conditioning, latentDims, generator, timesteps, ...prepared };
  }
  const noise = generator.randn(batch * latentDims[0] * latentDims[1] * latentDims[2]);
  const initNoiseSigma = scheduler.initNoiseSigma;
  const latents = noise.map((value) => value * initNoiseSigma);
  return { ...plan, timer, seeds, conditioning, latents, latentDims, generator, timesteps, edit: undefined };
}
