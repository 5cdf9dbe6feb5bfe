import { describe, expect, it } from 'vitest';
import { addNoise, boxBlur, seededRandom } from './degrade-image.ts';
import { renderPlacement, renderScene } from './render-shape.ts';
import { scoreImage } from './score-image.ts';
import { COLOUR_NAMES, GRAMMAR, POSITION_NAMES, type Scene, SIZE_NAMES } from './shapes-grammar.ts';

const SIZE = GRAMMAR.imageSize;
const WORDS = ['colour', 'background', 'shape', 'position', 'size'] as const;

/** Every (colour, background) pair with different colours: 8 × 7 = 56. */
const ALL_PAIRS = COLOUR_NAMES.flatMap((colour) =>
  COLOUR_NAMES.filter((background) => background !== colour).map((background) => [colour, background] as const),
);

/**
 * Pairs checked at every size and position: the two closest palette colours (yellow–orange, 80.8 apart), the next
 * closest cool pair (purple–blue, 112), a red–green pair, and the extreme black-on-white.
 */
const PLACEMENT_PAIRS = [
  ['yellow', 'orange'],
  ['purple', 'blue'],
  ['red', 'green'],
  ['black', 'white'],
] as const;

/** All 56 pairs × 3 shapes at the default size and position (168), then 4 pairs × 3 shapes × 3 sizes × 5 positions (180). */
function scenes(sizes: readonly string[] = SIZE_NAMES): Scene[] {
  const list: Scene[] = [];
  for (const [colour, background] of ALL_PAIRS) {
    for (const shape of GRAMMAR.shapes) {
      list.push({ colour, shape, background, size: GRAMMAR.defaultSize, position: GRAMMAR.defaultPosition });
    }
  }
  for (const [colour, background] of PLACEMENT_PAIRS) {
    for (const shape of GRAMMAR.shapes) {
      for (const size of sizes) {
        for (const position of POSITION_NAMES) list.push({ colour, shape, background, size, position });
      }
    }
  }
  return list;
}

/** Scores each image `degrade(renderScene(scene), index)` and lists every word the scorer got wrong. */
function mistakes(list: readonly Scene[], degrade: (pixels: Uint8Array, index: number) => Uint8Array): string[] {
  return list.flatMap((scene, index) => {
    const score = scoreImage(degrade(renderScene(scene), index), SIZE, SIZE);
    return WORDS.filter((word) => score[word] !== scene[word]).map(
      (word) => `${JSON.stringify(scene)}: ${word} read as ${score[word]}`,
    );
  });
}

/** The exact degradations; noise is reseeded per image (seed = 1000 + scene index) so images differ. */
const DEGRADATIONS: Record<string, (pixels: Uint8Array, index: number) => Uint8Array> = {
  'ideal render': (pixels) => pixels,
  '3×3 box blur (edge-clamped, rounded mean)': (pixels) => boxBlur(pixels, SIZE, SIZE, 1),
  '5×5 box blur (edge-clamped, rounded mean)': (pixels) => boxBlur(pixels, SIZE, SIZE, 2),
  'uniform integer noise in [−20, 20] per channel, clamped': (pixels, i) => addNoise(pixels, 20, 1000 + i),
  '3×3 box blur, then ±20 noise': (pixels, i) => addNoise(boxBlur(pixels, SIZE, SIZE, 1), 20, 1000 + i),
  'every pixel shifted by (+15, −15, +10), clamped: colours off the palette': (pixels) =>
    pixels.map((value, i) => Math.min(255, Math.max(0, value + [15, -15, 10][i % 3]))),
};

describe('scoreImage reads every word back', () => {
  it.each(Object.entries(DEGRADATIONS))('for 348 scenes, given: %s', (_, degrade) => {
    expect(mistakes(scenes(), degrade)).toEqual([]);
  });

  // A 16-px shape under 5×5 blur and noise is a ragged blob between a circle and a square (about 1 in 2,500 such
  // renders reads as the wrong shape); medium and large shapes keep their outline.
  it('for medium and large shapes, given: 5×5 box blur, then ±20 noise', () => {
    const degrade = (pixels: Uint8Array, i: number) => addNoise(boxBlur(pixels, SIZE, SIZE, 2), 20, 1000 + i);
    expect(mistakes(scenes(['medium', 'large']), degrade)).toEqual([]);
  });

  it('for renders jittered as in training (side ±2 px, centre ±3 px), sharp and 5×5-blurred', () => {
    const random = seededRandom(7);
    const found: string[] = [];
    for (const [colour, background] of PLACEMENT_PAIRS) {
      for (const shape of GRAMMAR.shapes) {
        for (const size of SIZE_NAMES) {
          for (const position of POSITION_NAMES) {
            const [cx, cy] = GRAMMAR.positions[position];
            const placement = {
              shape,
              side: GRAMMAR.sizes[size] + 4 * random() - 2,
              cx: cx + 6 * random() - 3,
              cy: cy + 6 * random() - 3,
            };
            const sharp = renderPlacement(placement, GRAMMAR.colours[colour], GRAMMAR.colours[background]);
            for (const pixels of [sharp, boxBlur(sharp, SIZE, SIZE, 2)]) {
              const score = scoreImage(pixels, SIZE, SIZE);
              const scene: Scene = { colour, shape, background, size, position };
              for (const word of WORDS) {
                if (score[word] !== scene[word]) found.push(`${JSON.stringify(placement)}: ${word} = ${score[word]}`);
              }
            }
          }
        }
      }
    }
    expect(found).toEqual([]);
  });
});

describe('scoreImage', () => {
  it('names concrete scenes with the words they were drawn from', () => {
    const read = (scene: Scene) => {
      const { colour, shape, background, position, size } = scoreImage(renderScene(scene), SIZE, SIZE);
      return { colour, shape, background, position, size };
    };
    const cases: Scene[] = [
      { colour: 'red', shape: 'circle', background: 'blue', size: 'medium', position: 'center' },
      { colour: 'green', shape: 'square', background: 'white', size: 'small', position: 'top right' },
      { colour: 'white', shape: 'triangle', background: 'black', size: 'large', position: 'bottom left' },
    ];
    for (const scene of cases) expect(read(scene)).toEqual(scene);
    // The same colours in another shape give another answer: shape is read from the picture, not guessed.
    expect(read({ ...cases[0], shape: 'triangle' }).shape).toBe('triangle');
    expect(read({ ...cases[0], shape: 'square' }).shape).toBe('square');
  });

  it('separates the right shape from the others by a clear overlap margin on ideal and blurred renders', () => {
    for (const blur of [0, 2]) {
      for (const shape of GRAMMAR.shapes) {
        for (const size of SIZE_NAMES) {
          for (const position of POSITION_NAMES) {
            const scene: Scene = { colour: 'red', shape, background: 'white', size, position };
            const pixels = renderScene(scene);
            const { overlap } = scoreImage(blur ? boxBlur(pixels, SIZE, SIZE, blur) : pixels, SIZE, SIZE);
            const others = GRAMMAR.shapes.filter((other) => other !== shape).map((other) => overlap[other]);
            expect(overlap[shape], JSON.stringify(scene)).toBeGreaterThanOrEqual(0.95);
            expect(Math.max(...others), JSON.stringify(scene)).toBeLessThanOrEqual(0.9);
          }
        }
      }
    }
  });

  it('measures fill and asymmetry as the geometry says (square 1, circle ≈ π/4, triangle ≈ 1/2 and low mass)', () => {
    const measure = (shape: Scene['shape']) =>
      scoreImage(
        renderScene({ colour: 'blue', shape, background: 'yellow', size: 'large', position: 'center' }),
        64,
        64,
      );
    expect(measure('square').fill).toBeCloseTo(1, 1);
    expect(measure('circle').fill).toBeCloseTo(Math.PI / 4, 1);
    // The 3×3 majority vote trims the pixel-thin apex, so a triangle's box fill comes out a little above 1/2.
    expect(measure('triangle').fill).toBeGreaterThan(0.45);
    expect(measure('triangle').fill).toBeLessThan(0.6);
    expect(measure('triangle').asymmetry).toBeCloseTo(1 / 6, 1);
    expect(Math.abs(measure('circle').asymmetry)).toBeLessThan(0.02);
  });

  it('reports no shape on a flat image, and still names its background', () => {
    const flat = renderPlacement({ shape: 'square', side: 0, cx: -10, cy: -10 }, [0, 0, 0], GRAMMAR.colours.purple);
    const score = scoreImage(flat, SIZE, SIZE);
    expect(score).toMatchObject({
      background: 'purple',
      colour: 'none',
      shape: 'none',
      position: 'none',
      size: 'none',
    });
    expect(score.backgroundShare).toBe(1);
  });

  it('ignores specks away from the shape', () => {
    const scene: Scene = {
      colour: 'orange',
      shape: 'circle',
      background: 'green',
      size: 'small',
      position: 'top left',
    };
    const pixels = renderScene(scene);
    for (const [x, y] of [
      [50, 10],
      [40, 55],
      [58, 33],
    ]) {
      pixels.set(GRAMMAR.colours.white, (y * SIZE + x) * 3);
      pixels.set(GRAMMAR.colours.white, (y * SIZE + x + 1) * 3);
    }
    expect(scoreImage(pixels, SIZE, SIZE)).toMatchObject(scene);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => scoreImage(new Uint8Array(10), SIZE, SIZE)).toThrow(/RGB bytes/);
  });
});
