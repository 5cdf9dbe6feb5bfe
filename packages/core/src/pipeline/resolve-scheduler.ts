import type { StableDiffusionModel } from '../model/load-model.ts';
import { createScheduler, schedulerNameForClass } from '../schedulers/create-scheduler.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';

/** The algorithm used when a model ships a scheduler the engine does not implement (PNDM, LMS, …). */
export const FALLBACK_SCHEDULER = 'euler';

/**
 * Keys a scheduler swapped in for the model's own takes when the model's config lacks them. DDIM's class defaults
 * (`clip_sample: true`, `set_alpha_to_one: true`) are for pixel-space DDPMs: clipping latents to [−1, 1] turns a
 * Stable Diffusion image to mush. Every SD release's config sets both false, and AUTOMATIC1111's DDIM (from ldm's
 * `DDIMSampler`) never clips and takes the last step's previous ᾱ from the first training step; so a swap does too.
 */
const SWAP_DEFAULTS: Partial<Record<string, Readonly<Record<string, unknown>>>> = {
  ddim: { clip_sample: false, set_alpha_to_one: false },
};

/**
 * Builds the requested scheduler, or the model's own, from the model's `scheduler_config.json` (so betas, spacing and
 * prediction type always come from the model), as diffusers' `Scheduler.from_config(pipe.scheduler.config)` does,
 * with `SWAP_DEFAULTS` under the model's keys when the request swaps in another algorithm.
 */
export function resolveScheduler(
  model: StableDiffusionModel,
  requested: string | undefined,
): { scheduler: Scheduler; warnings: string[] } {
  const warnings: string[] = [];
  const shipped = schedulerNameForClass(model.scheduler.className, model.scheduler.config);
  let name = requested;
  if (name === undefined) {
    name = shipped;
    if (name === undefined) {
      name = FALLBACK_SCHEDULER;
      warnings.push(
        `the model ships ${model.scheduler.className}, which Stipple does not implement; using ${FALLBACK_SCHEDULER} with the model's configuration`,
      );
    }
  }
  const swapDefaults = name === shipped ? {} : SWAP_DEFAULTS[name];
  return { scheduler: createScheduler(name, { ...swapDefaults, ...model.scheduler.config }), warnings };
}
