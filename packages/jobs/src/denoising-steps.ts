/**
 * How many denoising steps a request runs: all `steps` for text-to-image; for image-to-image and inpainting the last
 * `floor(steps × strength)` of the schedule, at least 1 (diffusers' `get_timesteps`: `init_timestep = min(int(steps ×
 * strength), steps)`; diffusers refuses a strength that leaves 0 steps, Stipple runs one). The engine starts its loop
 * here and credits are priced from it, so both count the same steps.
 */
export function denoisingSteps(steps: number, strength: number | undefined): number {
  if (strength === undefined) return steps;
  return Math.max(1, Math.min(steps, Math.floor(steps * strength)));
}
