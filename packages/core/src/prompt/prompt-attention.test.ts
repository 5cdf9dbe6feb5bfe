import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { type PromptSegment, parsePromptAttention } from './prompt-attention.ts';

/** Segments as A1111's `[text, weight]` pairs, a break as `['BREAK', -1]` (its own notation). */
function pairs(prompt: string): [string, number][] {
  return parsePromptAttention(prompt).map((segment: PromptSegment) =>
    segment.kind === 'text' ? [segment.text, segment.weight] : ['BREAK', -1],
  );
}

describe('parsePromptAttention', () => {
  // The examples of A1111's documentation (wiki "Features → Attention/emphasis" and parse_prompt_attention's doctest).
  it('leaves plain text at weight 1', () => {
    expect(pairs('normal text')).toEqual([['normal text', 1]]);
  });

  it('multiplies by 1.1 inside round brackets', () => {
    expect(pairs('an (important) word')).toEqual([
      ['an ', 1],
      ['important', 1.1],
      [' word', 1],
    ]);
  });

  it('applies a bracket left open to the end of the prompt', () => {
    expect(pairs('(unbalanced')).toEqual([['unbalanced', 1.1]]);
  });

  it('reads escaped brackets as literal text', () => {
    expect(pairs('\\(literal\\]')).toEqual([['(literal]', 1]]);
  });

  it('merges neighbouring runs of equal weight', () => {
    expect(pairs('(unnecessary)(parens)')).toEqual([['unnecessaryparens', 1.1]]);
  });

  it('combines nested, explicit, square and unbalanced brackets with the same floating-point results as A1111', () => {
    expect(pairs('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).')).toEqual([
      ['a ', 1],
      ['house', 1.5730000000000004],
      [' ', 1.1],
      ['on', 1],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun, ', 1.1],
      ['sky', 1.4641000000000006],
      ['.', 1.1],
    ]);
  });

  it('multiplies nested brackets: (( )) is 1.21, [ ] divides by 1.1', () => {
    expect(pairs('((a))')).toEqual([['a', 1.1 * 1.1]]);
    expect(pairs('[a]')).toEqual([['a', 1 / 1.1]]);
    expect(pairs('[[a]]')).toEqual([['a', 1 / 1.1 / 1.1]]);
  });

  it('takes an explicit weight with spaces around it and a sign', () => {
    expect(pairs('(a: 0.5 )')).toEqual([['a', 0.5]]);
    expect(pairs('(a:-1)')).toEqual([['a', -1]]);
    expect(pairs('(a:.5)b')).toEqual([
      ['a', 0.5],
      ['b', 1],
    ]);
  });

  it('reads a colon without a number, and a closing bracket with nothing open, as text', () => {
    expect(pairs('(word:abc)')).toEqual([['word:abc', 1.1]]);
    expect(pairs('a:1.3) b]')).toEqual([['a:1.3) b]', 1]]);
  });

  it('keeps an escaped backslash and drops a lone one', () => {
    expect(pairs('a\\\\b')).toEqual([['a\\b', 1]]);
    expect(pairs('a\\b')).toEqual([['ab', 1]]);
  });

  it('splits at BREAK, a whole upper-case word, eating the spaces around it', () => {
    expect(pairs('a cat BREAK a dog')).toEqual([
      ['a cat', 1],
      ['BREAK', -1],
      ['a dog', 1],
    ]);
    expect(pairs('BREAKfast, break')).toEqual([['BREAKfast, break', 1]]);
    expect(pairs('a BREAK BREAK b')).toEqual([
      ['a', 1],
      ['BREAK', -1],
      ['BREAK', -1],
      ['b', 1],
    ]);
  });

  it('breaks at BREAK inside brackets too', () => {
    expect(pairs('(a BREAK b)')).toEqual([
      ['a', 1.1],
      ['BREAK', -1],
      ['b', 1.1],
    ]);
  });

  it('gives one empty run for an empty prompt', () => {
    expect(pairs('')).toEqual([['', 1]]);
    expect(pairs('()')).toEqual([['', 1]]);
  });

  it('refuses an explicit weight that is not a number, naming it', () => {
    expect(() => parsePromptAttention('(a:1.2.3)')).toThrow(ValidationError);
    expect(() => parsePromptAttention('(a:.)')).toThrow(/prompt weight "\." is not a number/);
  });
});
