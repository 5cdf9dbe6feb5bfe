import { describe, expect, it } from 'vitest';
import { cleanClipText, fixTextLite } from './clip-text-cleanup.ts';

// Expected values are what CLIP's `whitespace_clean(basic_clean(text)).lower()` returns with ftfy 6.3.1 installed.
describe('cleanClipText', () => {
  it.each([
    ['  Hello   World  ', 'hello world'],
    ['A\tB\nC\r\nD', 'a b c d'],
    ['x\u00a0y\u2003z\u3000w', 'x y z w'],
    ['CAFÉ', 'café'],
    ['ΣΟΦΟΣ', 'σοφος'],
    ['İ', 'i\u0307'],
    ['', ''],
    ['   ', ''],
  ])('collapses whitespace and lower-cases: %j → %j', (input, expected) => {
    expect(cleanClipText(input)).toBe(expected);
  });

  it.each([
    ['&amp;amp;', '&'],
    ['&lt;3 &nbsp;x', '<3 x'],
    ['fish &amp; chips', 'fish & chips'],
  ])('unescapes HTML twice: %j → %j', (input, expected) => {
    expect(cleanClipText(input)).toBe(expected);
  });

  it('stops after two HTML unescapes, where ftfy adds a third when the text has no "<"', () => {
    // CLIP with ftfy gives "&"; this is a documented gap (ftfy's own unescape pass is skipped).
    expect(cleanClipText('&amp;amp;amp;')).toBe('&amp;');
  });

  it.each([
    ['cafe\u0301', 'café'],
    ['\u201cquoted\u201d \u2018single\u2019 it\u02bcs', "\"quoted\" 'single' it's"],
    ['\ufb01ne \ufb02ow \u0133', 'fine flow ij'],
    ['\uff21\uff42\uff43\uff11\uff01 \uff76\uff9e', 'abc1! ガ'],
    ['\x1b[1mbold\x1b[0m', 'bold'],
    ['a\x00b\x07c\x7fd\ufeffe', 'abcde'],
    ['\x80\x85\x9c', '€…œ'],
    ['\ud800x', '\ufffdx'],
  ])('applies ftfy’s character fixes: %j → %j', (input, expected) => {
    expect(cleanClipText(input)).toBe(expected);
  });

  it('does not repair mojibake (ftfy’s fix_encoding is skipped)', () => {
    expect(fixTextLite('cafÃ©')).toBe('cafÃ©');
  });
});
