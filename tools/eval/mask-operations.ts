/** Binary-mask operations on `width × height` images (pixel index = y · width + x) for the scorer. */

/** Pixel indices of the outer `ringPx`-wide ring of the image. */
export function borderRing(width: number, height: number, ringPx: number): number[] {
  const ring: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inRing = x < ringPx || y < ringPx || x >= width - ringPx || y >= height - ringPx;
      if (inRing) ring.push(y * width + x);
    }
  }
  return ring;
}

/**
 * Flood fill over 4-neighbours from `seeds` through pixels where `passable` is set; returns the visited pixels.
 * 4-connectivity, not 8, so two blobs touching only at a corner (typical of noise) stay apart.
 */
function floodFill(passable: Uint8Array, width: number, height: number, seeds: Iterable<number>): Int32Array {
  const visited = new Uint8Array(passable.length);
  const queue = new Int32Array(passable.length);
  let tail = 0;
  for (const seed of seeds) {
    if (passable[seed] && !visited[seed]) {
      visited[seed] = 1;
      queue[tail++] = seed;
    }
  }
  const visit = (j: number) => {
    if (passable[j] && !visited[j]) {
      visited[j] = 1;
      queue[tail++] = j;
    }
  };
  for (let head = 0; head < tail; head++) {
    const i = queue[head];
    const x = i % width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (i >= width) visit(i - width);
    if (i < (height - 1) * width) visit(i + width);
  }
  return queue.subarray(0, tail);
}

/** The largest 4-connected component of `mask` (pixel indices); ties go to the one found first in raster order. */
export function largestComponent(mask: Uint8Array, width: number, height: number): Int32Array {
  const remaining = Uint8Array.from(mask);
  let best = new Int32Array(0);
  for (let i = 0; i < remaining.length; i++) {
    if (!remaining[i]) continue;
    const component = floodFill(remaining, width, height, [i]);
    for (const j of component) remaining[j] = 0;
    if (component.length > best.length) best = Int32Array.from(component);
  }
  return best;
}

/**
 * 3×3 majority vote on a binary mask (at least 5 of the 9, edge pixels repeated beyond the border). A soft edge under
 * noise is a ragged fringe of single pixels; the vote smooths it to the edge's line while moving a straight edge not
 * at all and a square's corner by one pixel.
 */
export function majorityFilter(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let votes = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const sy = Math.min(height - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) votes += mask[sy * width + Math.min(width - 1, Math.max(0, x + dx))];
      }
      out[y * width + x] = votes >= 5 ? 1 : 0;
    }
  }
  return out;
}

/**
 * Adds enclosed holes to a component: pixels not in it that cannot reach the image border without crossing it. Noise
 * or a decoder artefact inside a shape would otherwise lower its fill and could turn a square into a circle.
 */
export function fillHoles(component: Int32Array, width: number, height: number): Uint8Array {
  const outside = new Uint8Array(width * height).fill(1);
  for (const i of component) outside[i] = 0;
  const reached = floodFill(outside, width, height, borderRing(width, height, 1));
  const filled = new Uint8Array(width * height).fill(1);
  for (const i of reached) filled[i] = 0;
  return filled;
}
