import type { MergePair } from './bpe.ts';

// Test fixture: a vocabulary small enough to reason about by hand (used by the *.test.ts files beside it).

/** A hand-built vocabulary over the letters a, b, c and `!`, with CLIP's special tokens at the end. */
export const TINY_VOCAB: Readonly<Record<string, number>> = {
  '!': 0,
  a: 1,
  b: 2,
  c: 3,
  '!</w>': 4,
  'a</w>': 5,
  'b</w>': 6,
  'c</w>': 7,
  ab: 8,
  'ab</w>': 9,
  'abc</w>': 10,
  '<|startoftext|>': 11,
  '<|endoftext|>': 12,
};

/** `a b` first, then `ab c</w>` and `a b</w>`. */
export const TINY_MERGES: readonly MergePair[] = [
  ['a', 'b'],
  ['ab', 'c</w>'],
  ['a', 'b</w>'],
];

/** merges.txt text for {@link TINY_MERGES}. */
export const TINY_MERGES_TXT = `#version: 0.2\n${TINY_MERGES.map(([a, b]) => `${a} ${b}`).join('\n')}\n`;
