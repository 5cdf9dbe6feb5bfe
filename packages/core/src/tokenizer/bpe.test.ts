import { describe, expect, it } from 'vitest';
import { BytePairEncoder, type MergePair } from './bpe.ts';

describe('BytePairEncoder', () => {
  it('marks the last symbol of a word with </w>', () => {
    const bpe = new BytePairEncoder([]);
    expect(bpe.encodeWord('a')).toEqual(['a</w>']);
    expect(bpe.encodeWord('abc')).toEqual(['a', 'b', 'c</w>']);
    expect(bpe.encodeWord('')).toEqual([]);
  });

  it('merges the lowest-ranked pair first', () => {
    const merges: MergePair[] = [
      ['a', 'b'],
      ['ab', 'c</w>'],
      ['b', 'c</w>'],
    ];
    expect(new BytePairEncoder(merges).encodeWord('abc')).toEqual(['abc</w>']);
    // With `b c</w>` ranked first, `a` is left alone: no merge joins `a` with `bc</w>`.
    expect(new BytePairEncoder([merges[2], merges[0], merges[1]]).encodeWord('abc')).toEqual(['a', 'bc</w>']);
  });

  it('treats `c` and `c</w>` as different symbols', () => {
    const bpe = new BytePairEncoder([['a', 'b']]);
    expect(bpe.encodeWord('ab')).toEqual(['a', 'b</w>']);
    expect(bpe.encodeWord('abc')).toEqual(['ab', 'c</w>']);
  });

  it('merges every non-overlapping occurrence, left to right, in one step', () => {
    expect(new BytePairEncoder([['a', 'a']]).encodeWord('aaab')).toEqual(['aa', 'a', 'b</w>']);
    const bpe = new BytePairEncoder([
      ['a', 'a'],
      ['aa', 'a</w>'],
    ]);
    expect(bpe.encodeWord('aaa')).toEqual(['aaa</w>']);
  });

  it('keeps the later rank of a pair listed twice, as CLIP’s dict does', () => {
    const bpe = new BytePairEncoder([
      ['x', 'y'],
      ['y', 'z</w>'],
      ['x', 'y'],
    ]);
    // `x y` ends at rank 2, so `y z</w>` (rank 1) merges first and `x` stays alone.
    expect(bpe.encodeWord('xyz')).toEqual(['x', 'yz</w>']);
  });
});
