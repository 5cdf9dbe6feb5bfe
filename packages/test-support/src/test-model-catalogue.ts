/**
 * tiny-shapes as the test stacks' router catalogues (`MODELS`) offer it: its own 64² and the bigger sizes tests ask
 * for, to make jobs that run a while (a job mid-run when a fault hits, a cancel, progress events) or that pass the
 * compute cap (2048²). The default catalogue offers 64² only, the one size it draws well.
 */
export const TEST_TINY_SHAPES = {
  width: 64,
  height: 64,
  steps: 20,
  sizes: ['96x64', '64x128', '128x128', '192x192', '256x256', '2048x2048'],
};
