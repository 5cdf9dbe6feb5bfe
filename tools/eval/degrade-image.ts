/**
 * Seeded, exactly specified degradations of ideal renders, standing in for what a VAE decoder does to a picture (soft
 * edges, grain) so the scorer can be tested on images that are not pixel-perfect.
 */

/**
 * Box blur: each channel of each pixel becomes the rounded mean over the `radius`-neighbourhood square
 * ((2·radius + 1)² pixels: radius 1 is 3×3, radius 2 is 5×5), with coordinates clamped at the image edge (edge pixels
 * repeat), so a flat background stays exactly flat.
 */
export function boxBlur(pixels: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const side = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -radius; dy <= radius; dy++) {
          const sy = Math.min(height - 1, Math.max(0, y + dy));
          for (let dx = -radius; dx <= radius; dx++) {
            const sx = Math.min(width - 1, Math.max(0, x + dx));
            sum += pixels[(sy * width + sx) * 3 + c];
          }
        }
        out[(y * width + x) * 3 + c] = Math.round(sum / (side * side));
      }
    }
  }
  return out;
}

/** mulberry32: a tiny seeded 32-bit generator, so a noisy test image is the same on every run and machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pixel noise: every channel of every pixel gets an independent integer offset drawn uniformly from
 * [−amplitude, +amplitude] (mulberry32 seeded with `seed`), then is clamped to 0–255.
 */
export function addNoise(pixels: Uint8Array, amplitude: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return pixels.map((value) => {
    const offset = Math.floor(random() * (2 * amplitude + 1)) - amplitude;
    return Math.min(255, Math.max(0, value + offset));
  });
}
