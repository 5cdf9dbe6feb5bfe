import { describe, expect, it } from 'vitest';
import { termListModerator, termPattern } from './term-list-moderator.ts';

describe('termPattern', () => {
  const pattern = termPattern(['fox', 'forbidden fruit', 'c++', 'ŻUBR']);

  it('matches a term as a whole word or phrase, ignoring case, between any non-word characters', () => {
    for (const prompt of [
      'fox',
      'a Fox.',
      'FOX-like',
      '(fox)',
      'the forbidden\n  FRUIT tree',
      'use c++ today',
      'żubr',
    ]) {
      expect(pattern.test(prompt), prompt).toBe(true);
    }
  });

  it('does not match a term inside a longer word, in any script, nor a phrase with other words between', () => {
    for (const prompt of ['foxes', 'firefox', 'fox_hole', 'forbidden tasty fruit', 'żubry', 'a 2fox', 'c+']) {
      expect(pattern.test(prompt), prompt).toBe(false);
    }
  });

  it('treats the regular expression characters of a term as text', () => {
    expect(termPattern(['a.b']).test('axb')).toBe(false);
    expect(termPattern(['a.b']).test('see a.b here')).toBe(true);
  });
});

describe('termListModerator', () => {
  it('flags without naming the term, so answers cannot map the list', async () => {
    const moderator = termListModerator(['fox']);
    expect(moderator.name).toBe('term_list');
    expect(await moderator.moderate('a FOX')).toEqual({ flagged: true });
    expect(await moderator.moderate('a dog')).toEqual({ flagged: false });
  });
});
