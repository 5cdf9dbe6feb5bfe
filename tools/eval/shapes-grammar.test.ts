import { describe, expect, it } from 'vitest';
import {
  COLOUR_NAMES,
  captionFor,
  completeScene,
  GRAMMAR,
  isHeldOut,
  POSITION_NAMES,
  parseCaption,
  SIZE_NAMES,
} from './shapes-grammar.ts';

describe('the shapes grammar', () => {
  it('reads the shared JSON: 8 colours, 3 shapes, 3 sizes, 5 positions, 4 templates, 12 held-out triples', () => {
    expect(COLOUR_NAMES).toHaveLength(8);
    expect(GRAMMAR.shapes).toEqual(['circle', 'square', 'triangle']);
    expect(GRAMMAR.sizes).toEqual({ small: 16, medium: 26, large: 40 });
    expect(POSITION_NAMES).toHaveLength(5);
    expect(GRAMMAR.templates).toHaveLength(4);
    expect(GRAMMAR.heldOut).toHaveLength(12);
  });

  it('captions with the template that says exactly the words given', () => {
    const words = { colour: 'red', shape: 'circle', background: 'blue' } as const;
    expect(captionFor(words)).toBe('a red circle on a blue background');
    expect(captionFor({ ...words, size: 'small' })).toBe('a small red circle on a blue background');
    expect(captionFor({ ...words, position: 'top left' })).toBe('a red circle at the top left, blue background');
    expect(captionFor({ ...words, size: 'large', position: 'center' })).toBe(
      'a large red circle at the center, blue background',
    );
  });

  it('knows the held-out triples, in order (colour, shape, background)', () => {
    expect(isHeldOut('red', 'triangle', 'white')).toBe(true);
    expect(isHeldOut('white', 'triangle', 'red')).toBe(false);
    expect(isHeldOut('red', 'circle', 'white')).toBe(false);
  });

  it('parses every caption the grammar can say back to its words', () => {
    let checked = 0;
    for (const colour of COLOUR_NAMES) {
      for (const background of COLOUR_NAMES.filter((name) => name !== colour)) {
        for (const shape of GRAMMAR.shapes) {
          for (const size of [undefined, ...SIZE_NAMES]) {
            for (const position of [undefined, ...POSITION_NAMES]) {
              const words = { colour, shape, background, size, position };
              const parsed = parseCaption(captionFor(words));
              expect(parsed && completeScene(parsed)).toEqual(completeScene(words));
              expect(parsed?.size).toBe(size);
              expect(parsed?.position).toBe(position);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(8 * 7 * 3 * 4 * 6);
  });
});
