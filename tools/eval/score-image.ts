/**
 * Reads a tiny-shapes image back into words: which background, which colour, which shape, where, how big. Fully
 * deterministic (no learned parts), so a score means the same thing for every model and every run.
 *
 * Generated images are VAE decodes: edges are soft, flat areas carry noise, and colours drift a little off the palette.
 * Every rule below is chosen to survive that; `score-image.test.ts` checks it on blurred and noisy ideal renders.
 *
 * Steps: (1) background = the named colour most common on the border ring, measured as its median RGB there;
 * (2) seed mask = pixels named otherwise and clearly away from that RGB, largest 4-connected component;
 * (3) colour = majority name over the seed's core (its most saturated pixels), measured as their median RGB;
 * (4) shape mask = pixels nearer the measured shape colour than the measured background (the half-way contour of a
 * soft edge), smoothed by a 3×3 majority vote, largest component, holes filled; (5) shape = best overlap with each
 * ideal shape fitted to the mask's area and centroid; size and position = that fit's side and box centre.
 */
import { borderRing, fillHoles, largestComponent, majorityFilter } from './mask-operations.ts';
import { isInside, type ShapePlacement } from './render-shape.ts';
import {
  COLOUR_NAMES,
  GRAMMAR,
  POSITION_NAMES,
  type Rgb,
  SHAPE_NAMES,
  type ShapeName,
  SIZE_NAMES,
} from './shapes-grammar.ts';

/** Border ring width in pixels sampled for the background. Three rows keep a large corner shape a minority there. */
export const BORDER_RING_PX = 3;

/**
 * A pixel joins the foreground only if its distance (Euclidean RGB) from the measured background colour is at least
 * this. 36 is above the largest offset ±20-per-channel noise can make (20·√3 ≈ 34.6), so background noise never
 * counts as shape, and below half the distance between the two closest palette colours (yellow–orange, 80.8 / 2 ≈
 * 40.4), so for every colour pair the pixels past the half-way blend, where a soft edge really is, still count. It
 * matters when a generated background drifts off its named colour towards a neighbour: the nearest-colour test alone
 * would then let noise flip background pixels to that neighbour.
 */
export const FOREGROUND_MIN_DISTANCE = 36;

/**
 * A foreground component smaller than this is a speck, not a shape: the smallest shape the grammar draws (a small
 * triangle, 16 px base and height) covers 128 px, still about 100 after a 5×5 blur eats its apex, while noise specks
 * are a few pixels. Below it the image scores as `none`.
 */
export const MIN_SHAPE_PIXELS = 24;

/**
 * Colour is voted on by pixels at least this fraction as far from the background as the shape's far end (see
 * `shapeCore`). A 50/50 edge blend sits at 0.5 and ±20 noise moves the pure interior by at most 34.6 of the ≥ 80.8
 * between any two named colours, so 0.75 keeps the interior and drops the blended rim.
 */
export const CORE_DISTANCE_RATIO = 0.75;

/**
 * The shape is the named shape whose ideal mask, placed by the observed mask's moments, overlaps it best
 * (intersection over union). Placement: the side that gives the observed area (square √A, circle √(4A/π), triangle
 * √(2A)) and the box centre that puts the shape's centroid on the observed centroid (the triangle's centroid is 2/3 of
 * the way down from its apex, side/6 below its box centre). There is no threshold to tune: area and centroid are
 * sums over every mask pixel, so a soft edge (whose half-way contour keeps the area) or a few noise spurs barely move
 * them, where a bounding box (fill ratio) jumps with a single stray pixel. On ideal and 5×5-blurred renders of every
 * size and position the right template scores ≥ 0.95 and the best wrong one ≤ 0.89 (a small square against its
 * equal-area circle; a continuous circle against its equal-area square gives 0.83).
 */
function fittedPlacement(shape: ShapeName, area: number, centroid: readonly [number, number]): ShapePlacement {
  const side = Math.sqrt(shape === 'square' ? area : shape === 'circle' ? (4 * area) / Math.PI : 2 * area);
  const dy = shape === 'triangle' ? side / 6 : 0;
  return { shape, side, cx: centroid[0], cy: centroid[1] - dy };
}

/** What a scorer saw, with the measurements behind each word so a surprising score can be explained. */
export interface ImageScore {
  background: string;
  /** `none` when no shape was found. */
  colour: string;
  shape: ShapeName | 'none';
  position: string;
  size: string;
  /** Fraction of the border ring whose nearest named colour is the background: low means no flat background. */
  backgroundShare: number;
  /** Median colour of the border pixels named as background: the colour foreground distance is measured from. */
  backgroundRgb: Rgb;
  /** Pixels in the cleaned shape mask (largest component, holes filled). */
  maskPixels: number;
  /** Fraction of the shape's core pixels (see `shapeCore`) whose nearest named colour is `colour`. */
  colourShare: number;
  /** Intersection over union of the mask with each shape's fitted ideal mask; the best names the shape. */
  overlap: Record<ShapeName, number>;
  /** Mask area over bounding-box area (square 1, circle π/4, triangle 1/2): reported, not decided on. */
  fill: number;
  /** (Centroid y − box centre y) / box height; positive when the mass sits low (triangle ≈ 1/6). Reported only. */
  asymmetry: number;
  /** Inclusive pixel bounds of the mask, or undefined with no shape. */
  box: { x0: number; y0: number; x1: number; y1: number } | undefined;
  /** Mask centroid in continuous coordinates (pixel centres at +0.5). */
  centroid: readonly [number, number] | undefined;
}

const PALETTE = COLOUR_NAMES.map((name) => GRAMMAR.colours[name]);

function squaredDistance(a: Rgb, r: number, g: number, b: number): number {
  return (a[0] - r) ** 2 + (a[1] - g) ** 2 + (a[2] - b) ** 2;
}

/** Index into `COLOUR_NAMES` of each pixel's nearest named colour. */
function nearestColours(pixels: Uint8Array, count: number): Uint8Array {
  const nearest = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const r = pixels[i * 3];
    const g = pixels[i * 3 + 1];
    const b = pixels[i * 3 + 2];
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let c = 0; c < PALETTE.length; c++) {
      const distance = squaredDistance(PALETTE[c], r, g, b);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    nearest[i] = best;
  }
  return nearest;
}

/** The most frequent value among `indices` of `labels`, with its share; ties go to the lower palette index. */
function majority(labels: Uint8Array, indices: Iterable<number>): { label: number; share: number } {
  const counts = new Array<number>(PALETTE.length).fill(0);
  let total = 0;
  for (const i of indices) {
    counts[labels[i]]++;
    total++;
  }
  let label = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[label]) label = c;
  return { label, share: total === 0 ? 0 : counts[label] / total };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianRgb(pixels: Uint8Array, indices: ArrayLike<number>): Rgb {
  const channel = (c: number) => median(Array.from(indices, (i) => pixels[i * 3 + c]));
  return [channel(0), channel(1), channel(2)];
}

/**
 * The pixels of a component that are most clearly foreground: those at least `CORE_DISTANCE_RATIO` of the way as far
 * from the background as the component's far end (its 90th-percentile distance, so a few noisy outliers do not set
 * it). A soft edge is a blend of shape and background colours, and a blend can be nearest a third named colour (red
 * over blue blends to purple); on a small blurred shape such a rim outnumbers the pure interior. Only the core is
 * voted on, and filled holes never are: they hold whatever the decoder put there.
 */
function shapeCore(pixels: Uint8Array, component: Int32Array, backgroundRgb: Rgb): number[] {
  const distances = Array.from(component, (i) =>
    Math.sqrt(squaredDistance(backgroundRgb, pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2])),
  );
  const sorted = [...distances].sort((a, b) => a - b);
  const farEnd = sorted[Math.floor(0.9 * (sorted.length - 1))];
  return Array.from(component).filter((_, k) => distances[k] >= CORE_DISTANCE_RATIO * farEnd);
}

function nearestName(names: readonly string[], distanceTo: (name: string) => number): string {
  let best = names[0];
  for (const name of names) if (distanceTo(name) < distanceTo(best)) best = name;
  return best;
}

/** Intersection over union of `mask` with the ideal mask of `placement` (pixel centres, clipped to the image). */
function overlapWith(mask: Uint8Array, width: number, height: number, placement: ShapePlacement): number {
  let intersection = 0;
  let union = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inMask = mask[y * width + x] === 1;
      const inShape = isInside(placement, x + 0.5, y + 0.5);
      if (inMask && inShape) intersection++;
      if (inMask || inShape) union++;
    }
  }
  return union === 0 ? 0 : intersection / union;
}

/** Scores one interleaved 8-bit RGB image (`width * height * 3` bytes) against the tiny-shapes grammar. */
export function scoreImage(pixels: Uint8Array, width: number, height: number): ImageScore {
  const count = width * height;
  if (pixels.length !== count * 3) throw new Error(`expected ${count * 3} RGB bytes, found ${pixels.length}`);
  const nearest = nearestColours(pixels, count);

  // Background: the named colour most common on the border ring, measured as the median RGB of those ring pixels.
  const ring = borderRing(width, height, BORDER_RING_PX);
  const { label: backgroundLabel, share: backgroundShare } = majority(nearest, ring);
  const backgroundPixels = ring.filter((i) => nearest[i] === backgroundLabel);
  const backgroundRgb = medianRgb(pixels, backgroundPixels);

  // Foreground: named differently from the background and clearly away from the background's actual colour.
  const minDistance = FOREGROUND_MIN_DISTANCE ** 2;
  const candidates = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const away = squaredDistance(backgroundRgb, pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]) >= minDistance;
    candidates[i] = nearest[i] !== backgroundLabel && away ? 1 : 0;
  }
  const component = largestComponent(candidates, width, height);
  const base = {
    background: COLOUR_NAMES[backgroundLabel],
    backgroundShare,
    backgroundRgb,
  };
  const noShape: ImageScore = {
    ...base,
    colour: 'none',
    shape: 'none',
    position: 'none',
    size: 'none',
    maskPixels: 0,
    colourShare: 0,
    overlap: { circle: 0, square: 0, triangle: 0 },
    fill: 0,
    asymmetry: 0,
    box: undefined,
    centroid: undefined,
  };
  if (component.length < MIN_SHAPE_PIXELS) return noShape;

  const core = shapeCore(pixels, component, backgroundRgb);
  const { label: colourLabel, share: colourShare } = majority(nearest, core);
  // The shape mask proper: nearer the shape's measured colour than the background's. On a blended edge that is the
  // half-way contour, which keeps a blurred shape's area and outline; the seed mask instead took in every blend that
  // happened to be nearest a third named colour (red over blue blends through purple), swelling the shape.
  const coreRgb = medianRgb(pixels, core);
  const refined = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const r = pixels[i * 3];
    const g = pixels[i * 3 + 1];
    const b = pixels[i * 3 + 2];
    refined[i] = squaredDistance(coreRgb, r, g, b) < squaredDistance(backgroundRgb, r, g, b) ? 1 : 0;
  }
  const shapeComponent = largestComponent(majorityFilter(refined, width, height), width, height);
  if (shapeComponent.length < MIN_SHAPE_PIXELS) return noShape;
  const mask = fillHoles(shapeComponent, width, height);
  let area = 0;
  let sumX = 0;
  let sumY = 0;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let i = 0; i < count; i++) {
    if (!mask[i]) continue;
    const x = i % width;
    const y = (i - x) / width;
    area++;
    sumX += x + 0.5;
    sumY += y + 0.5;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const boxWidth = x1 - x0 + 1;
  const boxHeight = y1 - y0 + 1;
  const centroid = [sumX / area, sumY / area] as const;
  const overlap = Object.fromEntries(
    SHAPE_NAMES.map((name) => [name, overlapWith(mask, width, height, fittedPlacement(name, area, centroid))]),
  ) as Record<ShapeName, number>;
  const shape = SHAPE_NAMES.reduce((best, name) => (overlap[name] > overlap[best] ? name : best));
  // Size and position from the winning fit: its side and box centre are what the size and position words name (a
  // triangle's box centre, not its centroid), and they come from area and centroid, which stray pixels barely move.
  // Positions and sizes are named for a 64-pixel image; scale so other image sizes are read proportionally.
  const fit = fittedPlacement(shape, area, centroid);
  const scale = GRAMMAR.imageSize / width;
  const position = nearestName(POSITION_NAMES, (name) => {
    const [px, py] = GRAMMAR.positions[name];
    return (px - fit.cx * scale) ** 2 + (py - fit.cy * scale) ** 2;
  });
  const size = nearestName(SIZE_NAMES, (name) => Math.abs(GRAMMAR.sizes[name] - fit.side * scale));
  return {
    ...base,
    colour: COLOUR_NAMES[colourLabel],
    shape,
    position,
    size,
    maskPixels: area,
    colourShare,
    overlap,
    fill: area / (boxWidth * boxHeight),
    asymmetry: (centroid[1] - (y0 + y1 + 1) / 2) / boxHeight,
    box: { x0, y0, x1, y1 },
    centroid,
  };
}
