/**
 * The denoising steps a job runs. Image-to-image and inpainting start the schedule part-way, as diffusers'
 * `get_timesteps` does (`pipeline_stable_diffusion_img2img.py`: `init_timestep = min(int(steps × strength), steps)`):
 * `floor(steps × strength)` steps, here at least 1 so that every job denoises. Without `strength` (text-to-image) every
 * step runs. The router prices jobs by it and the engine runs it.
 */
export function denoisingStepsRun(steps: number, strength: number | undefined): number {
  if (strength === undefined) return steps;
  return Math.max(1, Math.min(steps, Math.floor(steps * strength)));
}
