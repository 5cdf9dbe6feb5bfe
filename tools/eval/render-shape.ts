/**
 * Ideal renders of tiny-shapes scenes, drawn with the geometry of the forge's Python renderer
 * (`tools/forge/shapes/scenes.py`, `coverage_mask`): the scorer's tests compare against these, so they must agree
 * with what the model was trained on pixel for pixel.
 */
import { GRAMMAR, type Scene, type ShapeName } from './shapes-grammar.ts';

/** Exact placement in pixels, for renders between the named sizes and positions (the forge jitters both). */
export interface ShapePlacement {
  shape: ShapeName;
  /** Side of the bounding square: a circle's diameter, a square's side, a triangle's base and height. */
  side: number;
  /** Centre of the bounding square, y growing downwards. */
  cx: number;
  cy: number;
}

/**
 * Whether the point (x, y) in continuous image coordinates is inside the shape. Pixel (i, j) is covered when its
 * centre (i + 0.5, j + 0.5) is: no anti-aliasing, as in training. Boundaries count as inside (`<=`), as in numpy.
 */
export function isInside({ shape, side, cx, cy }: ShapePlacement, x: number, y: number): boolean {
  const dx = x - cx;
  const dy = y - cy;
  const half = side / 2;
  if (shape === 'circle') return dx * dx + dy * dy <= half * half;
  if (shape === 'square') return Math.abs(dx) <= half && Math.abs(dy) <= half;
  // Upward isosceles triangle: apex (cx, cy - half), base y = cy + half from cx - half to cx + half. Its half-width
  // grows by 1/2 px per row from 0 at the apex to `half` at the base (height equals base).
  return dy >= -half && dy <= half && Math.abs(dx) <= (dy + half) / 2;
}

/** Renders a shape placement in `colour` over `background` as interleaved 8-bit RGB (HWC), `size`×`size`. */
export function renderPlacement(
  placement: ShapePlacement,
  colour: readonly [number, number, number],
  background: readonly [number, number, number],
  size: number = GRAMMAR.imageSize,
): Uint8Array {
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const rgb = isInside(placement, x + 0.5, y + 0.5) ? colour : background;
      pixels.set(rgb, (y * size + x) * 3);
    }
  }
  return pixels;
}

/** The ideal `imageSize`×`imageSize` RGB render of a scene: the named size and position, no jitter. */
export function renderScene(scene: Scene): Uint8Array {
  const [cx, cy] = GRAMMAR.positions[scene.position];
  return renderPlacement(
    { shape: scene.shape, side: GRAMMAR.sizes[scene.size], cx, cy },
    GRAMMAR.colours[scene.colour],
    GRAMMAR.colours[scene.background],
  );
}
