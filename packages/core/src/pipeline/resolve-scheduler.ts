import type { StableDiffusionModel } from '../model/load-model.ts';
import { createScheduler, schedulerNameForClass } from '../schedulers/create-scheduler.ts';
import type { Scheduler } from '../schedulers/scheduler.ts';

/** The algorithm used when a model ships a scheduler the engine does not implement (PNDM, LMS, …). */
export const FALLBACK_SCHEDULER = 'euler';

/**
 * Builds the requested scheduler, or the model's own, from the model's `scheduler_config.json` (so betas, spacing and
 * prediction type always come from the model), as diffusers' `Scheduler.from_config(pipe.scheduler.config)` does.
 */
export function resolveScheduler(
  model: StableDiffusionModel,
  requested: string | undefined,
): { scheduler: Scheduler; warnings: string[] } {
  const warnings: string[] = [];
  let name = requested;
  if (name === undefined) {
    name = schedulerNameForClass(model.scheduler.className, model.scheduler.config);
    if (name === undefined) {
      name = FALLBACK_SCHEDULER;
      warnings.push(
        `the model ships ${model.scheduler.className}, which Stipple does not implement; using ${FALLBACK_SCHEDULER} with the model's configuration`,
      );
    }
  }
  return { scheduler: createScheduler(name, model.scheduler.config), warnings };
}
