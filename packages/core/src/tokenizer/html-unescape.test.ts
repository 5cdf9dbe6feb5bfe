import { describe, expect, it } from 'vitest';
import { htmlUnescape, windows1252ForC1 } from './html-unescape.ts';

// Expected values are what Python 3.11's html.unescape returns for the same input.
describe('htmlUnescape', () => {
  it.each([
    ['&amp;', '&'],
    ['&amp;amp;', '&amp;'],
    ['&lt;b&gt;', '<b>'],
    ['&quot;hi&quot;', '"hi"'],
    ['&#39;', "'"],
    ['&#x27;', "'"],
    ['&#X41;', 'A'],
    ['&#65', 'A'],
    ['&eacute;t&eacute;', 'été'],
    ['&sigmaf;', 'ς'],
    ['&hellip;', '…'],
    ['&lang;', '\u27e8'],
    ['&AMP;', '&'],
    ['&apos;', "'"],
  ])('decodes %j as %j', (input, expected) => {
    expect(htmlUnescape(input)).toBe(expected);
  });

  it.each([
    ['&amp', '&'],
    ['&ampx', '&x'],
    ['&notit;', '¬it;'],
    ['&notin;', '∉'],
    ['&copy2024', '©2024'],
    ['&Eacute', 'É'],
    ['&apos', '&apos'],
    ['&Amp;', '&Amp;'],
  ])('applies the legacy no-semicolon rule: %j → %j', (input, expected) => {
    expect(htmlUnescape(input)).toBe(expected);
  });

  it.each([
    ['&#0;', '\ufffd'],
    ['&#13;', '\r'],
    ['&#150;', '\u2013'],
    ['&#x81;', '\x81'],
    ['&#11;', ''],
    ['&#xFFFE;', ''],
    ['&#x1F600;', '😀'],
    ['&#xD800;', '\ufffd'],
    ['&#x110000;', '\ufffd'],
    ['&#99999999999999999999;', '\ufffd'],
  ])('applies Python’s numeric reference rules: %j → %j', (input, expected) => {
    expect(htmlUnescape(input)).toBe(expected);
  });

  it.each(['& amp;', '&;', '&#;', 'a&b', 'no entities', ''])('leaves %j unchanged', (input) => {
    expect(htmlUnescape(input)).toBe(input);
  });
});

describe('windows1252ForC1', () => {
  it('maps C1 controls to their Windows-1252 characters and keeps the undefined ones', () => {
    expect(windows1252ForC1('\x80')).toBe('€');
    expect(windows1252ForC1('\x9c')).toBe('œ');
    expect(windows1252ForC1('\x8d')).toBe('\x8d');
    expect(windows1252ForC1('a')).toBe('a');
  });
});
