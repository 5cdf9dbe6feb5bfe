import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.ts';
import { parsePromptAttention } from './prompt-attention.ts';
import { chunkPrompt, emptyChunk } from './prompt-chunks.ts';

// A vocabulary of single-letter words and a comma, with CLIP's special tokens; a 12-token window holds 10 tokens.
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const VOCAB: Record<string, number> = {
  ...Object.fromEntries(
    [...LETTERS].flatMap((letter, i) => [
      [letter, i * 2],
      [`${letter}</w>`, i * 2 + 1],
    ]),
  ),
  ',': 60,
  ',</w>': 61,
  '!': 62,
  '<|startoftext|>': 70,
  '<|endoftext|>': 71,
};
const BOS = 70;
const EOS = 71;
const COMMA = 61;
const id = (letter: string) => VOCAB[`${letter}</w>`];

function tokenizer(maxLength = 12, padToken?: string): ClipTokenizer {
  return new ClipTokenizer({ vocab: VOCAB, merges: [], maxLength, padToken });
}

function chunks(prompt: string, window = 12) {
  return chunkPrompt(tokenizer(window), parsePromptAttention(prompt)).map(({ ids, weights }) => ({
    ids: Array.from(ids),
    weights: Array.from(weights),
  }));
}

describe('chunkPrompt', () => {
  it('lays a short prompt out as start, tokens, end and padding, like the padded encoding', () => {
    const t = tokenizer(12, '!');
    const [chunk] = chunkPrompt(t, parsePromptAttention('a b c'));
    expect(Array.from(chunk.ids)).toEqual(Array.from(t.encodePadded('a b c').ids));
    expect(Array.from(chunk.ids)).toEqual([BOS, id('a'), id('b'), id('c'), EOS, ...Array(7).fill(62)]);
    expect(Array.from(chunk.weights)).toEqual(Array(12).fill(1));
  });

  it('gives an empty prompt one chunk of start, end and padding', () => {
    expect(chunks('')).toEqual([{ ids: [BOS, EOS, ...Array(10).fill(EOS)], weights: Array(12).fill(1) }]);
    expect(emptyChunk(tokenizer()).ids).toEqual(Int32Array.from([BOS, EOS, ...Array(10).fill(EOS)]));
  });

  it('carries each token weight, 1 for start, end and padding', () => {
    const [chunk] = chunks('a (b:1.5) [c]');
    expect(chunk.weights.slice(0, 5)).toEqual([1, 1, 1.5, Math.fround(1 / 1.1), 1]);
  });

  it('fills a chunk with exactly the window, then starts another', () => {
    const ten = 'a b c d e f g h i j';
    expect(chunks(ten)).toHaveLength(1);
    const two = chunks(`${ten} k`);
    expect(two).toHaveLength(2);
    expect(two[0].ids).toEqual([BOS, ...[...'abcdefghij'].map(id), EOS]);
    expect(two[1].ids).toEqual([BOS, id('k'), EOS, ...Array(9).fill(EOS)]);
  });

  it('moves the words after a comma near the end of a full chunk to the next chunk', () => {
    const [first, second] = chunks('a b c d e f g h, i j k');
    expect(first.ids).toEqual([BOS, ...[...'abcdefgh'].map(id), COMMA, EOS, EOS]);
    expect(second.ids.slice(0, 5)).toEqual([BOS, id('i'), id('j'), id('k'), EOS]);
  });

  it('moves the weights with the words', () => {
    const [, second] = chunks('a b c d e f g h, (i j:2) k');
    expect(second.weights.slice(0, 5)).toEqual([1, 2, 2, 1, 1]);
  });

  it('starts a new chunk at a comma that falls just past a full chunk, not remembering it there', () => {
    const [first, second] = chunks('a b c d e f g h i j, k');
    expect(first.ids.slice(1, 11)).toEqual([...'abcdefghij'].map(id));
    expect(second.ids.slice(0, 4)).toEqual([BOS, COMMA, id('k'), EOS]);
  });

  it('closes the chunk at BREAK, even an empty one, and pads the closed chunk', () => {
    const parts = chunks('a BREAK b');
    expect(parts.map((chunk) => chunk.ids.slice(0, 3))).toEqual([
      [BOS, id('a'), EOS],
      [BOS, id('b'), EOS],
    ]);
    expect(chunks('BREAK a')).toHaveLength(2);
    expect(chunks('a BREAK')).toHaveLength(1);
  });
});
