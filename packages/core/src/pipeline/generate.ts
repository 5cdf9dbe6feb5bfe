import type { Tensor } from '../backend/model-session.ts';
import { onnxRuntimeVersion } from '../backend/onnx-session.ts';
import { concatTensors, floatTensor, numericTensor, readFloatTensor } from '../backend/tensor-conversion.ts';
import { AbortError, ModelError, ValidationError } from '../errors.ts';
import type { StableDiffusionModel } from '../model/load-model.ts';
import { checkImageSafety, NOT_CHECKED } from '../safety/check-image-safety.ts';
import { decodeLatents } from './decode-latents.ts';
import { decodeEditInputs } from './edit-inputs.ts';
import type { GenerationResult } from './generation-record.ts';
import type { GenerationRequest } from './generation-request.ts';
import { applyClassifierFreeGuidance, rescaleGuidance } from './guidance.ts';
import { type LatentPreview, type LatentProjection, latentProjection, projectLatents } from './latent-preview.ts';
import { firstNonFinite, NON_FINITE_CODES } from './non-finite-values.ts';
import { applyOverlay, blendKnownRegion } from './prepare-edit.ts';
import {
  batchKey,
  type PreparedGeneration,
  planGeneration,
  prepareGeneration,
  requestBatchKey,
} from './prepare-generation.ts';
import { aestheticScoreRecord } from './sdxl-time-ids.ts';
import { StageTimer } from './stage-timer.ts';
import { UnetSampleBuffer } from './unet-sample-buffer.ts';

export interface GenerationProgress {
  /** Denoising steps finished, 1-based. */
  step: number;
  totalSteps: number;
  /** Milliseconds since the generation started. */
  elapsedMs: number;
  /** On every `previewEvery`-th step (and the last): a latent-resolution RGB approximation of the image(s) so far. */
  preview?: LatentPreview;
}

export interface GenerateOptions {
  /** Called after every denoising step. */
  onProgress?: (progress: GenerationProgress) => void;
  /** Cancels between steps; the promise rejects with an `AbortError` (code `canceled`). */
  signal?: AbortSignal;
  /** Attach a preview to the progress of every k-th step. Default: no previews. */
  previewEvery?: number;
  /**
   * Run the model's safety checker on each image (`GeneratedImage.contentFilter`). Default true; a model without a
   * checker reports `checked: false` either way.
   */
  safetyCheck?: boolean;
}

/** One request of a batch, with its own progress, cancellation and previews. */
export interface GenerationJob extends GenerateOptions {
  request: GenerationRequest;
}

/** How one job of a batch ended: its result, or the error that ended it alone (or the whole batch). */
export type GenerationOutcome = { ok: true; result: GenerationResult } | { ok: false; error: unknown };

/** A job in the denoising loop, with where its rows sit in the shared UNet batch. */
interface ActiveJob {
  index: number;
  job: GenerationJob;
  prepared: PreparedGeneration;
  /** Present when the job asked for previews. */
  projection: LatentProjection | undefined;
  /** The guided prediction, rewritten every step (schedulers keep no reference to a step's model output). */
  guided?: Float32Array;
}

/** Stops between steps; a caller that aborted with its own `AbortError` (naming the job, say) gets that one back. */
function abortReason(signal: AbortSignal | undefined): AbortError | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason instanceof AbortError ? signal.reason : new AbortError();
}

function checkPreviewEvery(value: number | undefined): void {
  if (value === undefined || (Number.isInteger(value) && value >= 1)) return;
  throw new ValidationError(
    'invalid_preview_every',
    `preview_every ${value} is not allowed; use an integer of at least 1`,
    {
      field: 'preview_every',
      value,
    },
  );
}

/**
 * The key requests must share to be denoised in one batch (see `generateBatch`); throws on an invalid request. Input
 * files are not decoded here (see `requestBatchKey`), so a bad file fails in `generateBatch`.
 */
export function generationBatchKey(model: StableDiffusionModel, request: GenerationRequest): string {
  return requestBatchKey(model, request);
}

/**
 * Images with a loaded model: the denoising loop of diffusers' `StableDiffusionPipeline.__call__`, or with `image`
 * that of `StableDiffusionImg2ImgPipeline`, with `image` and `mask` that of `StableDiffusionInpaintPipeline` (their
 * SDXL counterparts for SDXL, whose refiner runs only with `image`).
 */
export async function generate(
  model: StableDiffusionModel,
  request: GenerationRequest,
  options: GenerateOptions = {},
): Promise<GenerationResult> {
  const [outcome] = await generateBatch(model, [{ ...options, request }]);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

/**
 * Several requests denoised together: every UNet call carries all their rows (request-major: each request's
 * `[uncond × n, cond × n]` block in turn), while prompts, seeds, guidance, progress, previews and cancellation stay
 * per request. Each request's images equal what `generate` makes for it alone. Requests must share a
 * `generationBatchKey`; one that fails validation, or is canceled, ends alone and the others go on.
 */
export async function generateBatch(
  model: StableDiffusionModel,
  jobs: readonly GenerationJob[],
): Promise<GenerationOutcome[]> {
  const outcomes: GenerationOutcome[] = new Array(jobs.length);
  const fail = (index: number, error: unknown) => {
    outcomes[index] = { ok: false, error };
  };

  // 1–4. Check each request (decoding its input files), encode its prompts, draw its noise.
  let active: ActiveJob[] = [];
  let key: string | undefined;
  for (const [index, job] of jobs.entries()) {
    const timer = new StageTimer();
    try {
      checkPreviewEvery(job.previewEvery);
      const plan = planGeneration(model, job.request, await decodeEditInputs(job.request), timer);
      key ??= batchKey(plan);
      if (batchKey(plan) !== key) {
        throw new ValidationError(
          'incompatible_batch',
          `request ${index} (${batchKey(plan)}) cannot share a batch with request 0 (${key})`,
        );
      }
      const canceled = abortReason(job.signal);
      if (canceled) throw canceled;
      const projection = job.previewEvery === undefined ? undefined : await latentProjection(model);
      active.push({ index, job, projection, prepared: await prepareGeneration(model, plan, timer) });
    } catch (error) {
      fail(index, error);
    }
  }

  // 5. Denoising loop, one UNet call per step for every job still running.
  const steps = active[0]?.prepared.timesteps ?? [];
  let conditioning: Record<string, Tensor> | undefined;
  const sampleBuffer = new UnetSampleBuffer();
  for (const [step, t] of steps.entries()) {
    const running = active.filter(({ index, job }) => {
      const canceled = abortReason(job.signal);
      if (canceled) fail(index, canceled);
      return !canceled;
    });
    if (running.length !== active.length) conditioning = undefined;
    active = running;
    if (active.length === 0) break;
    conditioning ??= joinConditioning(active);
    let predictions: Float32Array[];
    try {
      predictions = await runUnet(model, active, t, conditioning, sampleBuffer);
    } catch (error) {
      for (const { index } of active) fail(index, error);
      active = [];
      break;
    }
    const advanced = active.filter((activeJob, i) => {
      try {
        advance(activeJob, predictions[i], t, { step: step + 1, totalSteps: steps.length });
        return true;
      } catch (error) {
        fail(activeJob.index, error);
        return false;
      }
    });
    if (advanced.length !== active.length) conditioning = undefined;
    active = advanced;
  }

  // 6. Decode each image's latents to pixels.
  for (const { index, job, prepared } of active) {
    try {
      outcomes[index] = { ok: true, result: await decodeJob(model, prepared, job) };
    } catch (error) {
      fail(index, error);
    }
  }
  return outcomes;
}

/** Every job's fixed UNet inputs, joined along the batch axis in the order of `active`. */
function joinConditioning(active: readonly ActiveJob[]): Record<string, Tensor> {
  const names = Object.keys(active[0].prepared.conditioning);
  return Object.fromEntries(
    names.map((name) => [name, concatTensors(active.map(({ prepared }) => prepared.conditioning[name]))]),
  );
}

/** One UNet call for the whole batch at timestep `t`; returns each job's raw rows. */
async function runUnet(
  model: StableDiffusionModel,
  active: readonly ActiveJob[],
  t: number,
  conditioning: Record<string, Tensor>,
  sampleBuffer: UnetSampleBuffer,
): Promise<Float32Array[]> {
  const { unet } = model;
  const [channels, height, width] = active[0].prepared.latentDims;
  const latentRow = channels * height * width;
  // Scaled once per job; the buffer repeats them for guidance and joins an inpainting UNet's extra channels.
  const parts = active.map(({ prepared }) => ({
    scaled: prepared.timer.measure('schedulerMs', () => prepared.scheduler.scaleModelInput(prepared.latents, t)),
    copies: prepared.guided ? (2 as const) : (1 as const),
    extra: prepared.edit?.unetChannels,
  }));
  const sample = sampleBuffer.fill(parts, latentRow);
  const offsets: number[] = [];
  let length = 0;
  for (const { scaled, copies } of parts) {
    offsets.push(length);
    length += scaled.length * copies;
  }
  const rows = length / latentRow;
  const timestep = unet.contract.timestepIsScalar
    ? numericTensor([t], unet.contract.timestepType, [])
    : numericTensor(new Array(rows).fill(t), unet.contract.timestepType, [rows]);
  const started = performance.now();
  const outputs = await unet.session.run({
    sample: floatTensor(sample, unet.contract.sampleType, [rows, unet.inputChannels, height, width]),
    timestep,
    ...conditioning,
  });
  const elapsed = performance.now() - started;
  for (const { prepared } of active) prepared.timer.addSessionRun('unetMs', elapsed);
  const raw = readFloatTensor(outputs[unet.contract.outputName]);
  return parts.map(({ scaled, copies }, i) => raw.subarray(offsets[i], offsets[i] + scaled.length * copies));
}

/** Guidance and one scheduler step for one job, then its progress (with a preview when one is due). */
function advance(
  activeJob: ActiveJob,
  raw: Float32Array,
  t: number,
  progress: { step: number; totalSteps: number },
): void {
  const { job, prepared, projection } = activeJob;
  const { settings, timer, scheduler } = prepared;
  const prediction = timer.measure('unetMs', () => {
    if (!prepared.guided) return raw;
    activeJob.guided ??= new Float32Array(raw.length / 2);
    const guided = applyClassifierFreeGuidance(raw, settings.guidance, activeJob.guided);
    if (settings.guidanceRescale > 0) {
      rescaleGuidance(guided, raw.subarray(raw.length / 2), settings.n, settings.guidanceRescale);
    }
    return guided;
  });
  const next = timer.measure('schedulerMs', () => scheduler.step(prediction, t, prepared.latents, prepared.generator));
  const bad = firstNonFinite(next.prevSample);
  if (bad >= 0) throw nonFiniteLatents(next.prevSample[bad], t, progress);
  prepared.latents = next.prevSample;
  if (prepared.edit) {
    const nextTimestep = prepared.timesteps[progress.step];
    prepared.latents = blendKnownRegion(prepared.edit, scheduler, prepared.latents, nextTimestep);
  }
  const { previewEvery } = job;
  const due =
    projection && previewEvery && (progress.step % previewEvery === 0 || progress.step === progress.totalSteps);
  job.onProgress?.({
    ...progress,
    elapsedMs: timer.elapsedMs(),
    ...(due ? { preview: projectLatents(projection, next.predOriginalSample, settings.n, prepared.latentDims) } : {}),
  });
}

/** Checked every step (one pass over the latents, small beside a UNet call), so a diverging job stops at once. */
function nonFiniteLatents(value: number, t: number, progress: { step: number; totalSteps: number }): ModelError {
  const { step, totalSteps } = progress;
  return new ModelError(
    NON_FINITE_CODES.latents,
    `the latents became ${value} (NaN or Infinity) at denoising step ${step} of ${totalSteps} (timestep ${t}): the UNet's output overflowed (an fp16 UNet, or broken weights)`,
    { step, totalSteps, timestep: t, value: String(value) },
  );
}

async function decodeJob(
  model: StableDiffusionModel,
  prepared: PreparedGeneration,
  { signal, safetyCheck = true }: GenerateOptions,
): Promise<GenerationResult> {
  const { settings, scheduler, seeds, latents, latentDims, timer, guided, warnings, edit } = prepared;
  const checker = safetyCheck ? model.safetyChecker : undefined;
  const perImage = latents.length / seeds.length;
  const images = [];
  for (const [i, seed] of seeds.entries()) {
    const canceled = abortReason(signal);
    if (canceled) throw canceled;
    const slice = latents.subarray(i * perImage, (i + 1) * perImage);
    const pixels = applyOverlay(edit, await decodeLatents(model, slice, latentDims, settings, timer));
    const image = { pixels, width: settings.width, height: settings.height, seed };
    const contentFilter = checker ? await checkImageSafety(checker, image, timer) : NOT_CHECKED;
    images.push({ ...image, contentFilter });
  }
  return {
    images,
    record: {
      model: { id: model.id, family: model.family.family, weightsHash: model.weightsHash },
      prompt: settings.prompt,
      negativePrompt: guided ? (settings.negativePrompt ?? '') : '',
      width: settings.width,
      height: settings.height,
      steps: settings.steps,
      guidance: settings.guidance,
      guidanceRescale: settings.guidanceRescale,
      clipSkip: settings.clipSkip,
      scheduler: { name: scheduler.name, className: scheduler.className, config: { ...scheduler.config } },
      seeds,
      onnxRuntimeVersion,
      executionProviders: [...model.executionProviders],
      safetyChecker: checker?.name ?? null,
      warnings,
      timings: timer.finish(),
      ...(edit ? { edit: edit.record } : {}),
      ...aestheticScoreRecord(model, guided),
    },
  };
}
