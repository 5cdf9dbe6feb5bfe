import { describe, expect, it } from 'vitest';
import { renderScene } from './render-shape.ts';
import { GRAMMAR, type Scene } from './shapes-grammar.ts';

/** Which pixels of a render have the shape's colour, as rows of '#' and '.'. */
function coverage(scene: Scene): string[] {
  const pixels = renderScene(scene);
  const [r, g, b] = GRAMMAR.colours[scene.colour];
  const rows: string[] = [];
  for (let y = 0; y < GRAMMAR.imageSize; y++) {
    let row = '';
    for (let x = 0; x < GRAMMAR.imageSize; x++) {
      const i = (y * GRAMMAR.imageSize + x) * 3;
      row += pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b ? '#' : '.';
    }
    rows.push(row);
  }
  return rows;
}

const count = (rows: string[]) => rows.join('').split('#').length - 1;
const base = { colour: 'red', background: 'blue', position: 'center' } as const;

describe('renderScene', () => {
  // Cross-checked once against tools/forge/shapes/scenes.py `coverage_mask`: 135 masks (every shape, size and
  // position, plus jittered placements) were identical pixel for pixel.
  it('draws a square of side 26 at the centre as exactly pixels 19–44 in both axes', () => {
    const rows = coverage({ ...base, shape: 'square', size: 'medium' });
    expect(count(rows)).toBe(26 * 26);
    expect(rows[19].indexOf('#')).toBe(19);
    expect(rows[19].lastIndexOf('#')).toBe(44);
    expect(rows[18]).not.toContain('#');
    expect(rows[45]).not.toContain('#');
  });

  it('draws a circle of diameter 16 from pixel centres inside radius 8', () => {
    const rows = coverage({ ...base, shape: 'circle', size: 'small' });
    let expected = 0;
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) if ((x + 0.5 - 32) ** 2 + (y + 0.5 - 32) ** 2 <= 64) expected++;
    expect(count(rows)).toBe(expected);
    expect(rows[32].indexOf('#')).toBe(24);
    expect(rows[32].lastIndexOf('#')).toBe(39);
  });

  it('draws an upward triangle: apex at the top of its box, the base as wide as the box at the bottom', () => {
    const rows = coverage({ ...base, shape: 'triangle', size: 'large' });
    // Box y from 12 to 52. Pixel row y covers |x + 0.5 − 32| ≤ (y + 0.5 − 12) / 2: nothing in row 12 (half-width
    // 0.25 misses every pixel centre), two pixels in row 13, the full 40 in row 51.
    expect(rows[12]).not.toContain('#');
    expect(rows[13].replaceAll('.', '')).toBe('##');
    expect(rows[51].indexOf('#')).toBe(12);
    expect(rows[51].lastIndexOf('#')).toBe(51);
    expect(rows[52]).not.toContain('#');
    for (const row of rows) expect(row).toBe([...row].reverse().join(''));
  });

  it('clips a large shape in a corner at the image edge', () => {
    const rows = coverage({ ...base, shape: 'square', size: 'large', position: 'top left' });
    expect(count(rows)).toBe(38 * 38);
    expect(rows[0].slice(0, 38)).toBe('#'.repeat(38));
  });
});
