/**
 * The request of diffusers' golden case `sd15-int32 n=2 euler-ancestral` (test/fixtures/goldens/diffusers-parity.json):
 * the `safety-checker` fixture's checker flags its first image (seed 50) and not its second (seed 51)
 * (tools/forge/safety_checker.py, KNOWN_IMAGES). Valid both as a `GenerationRequest` and as a job's `parameters`.
 */
export const SAFETY_CHECKER_KNOWN_IMAGES = {
  prompt: 'a red fox sitting in the snow, highly detailed photo',
  negativePrompt: 'blurry, low quality, watermark',
  width: 48,
  height: 40,
  steps: 4,
  guidance: 7.5,
  scheduler: 'euler-ancestral',
  seed: 50,
  n: 2,
};
