import { WHITE_SPACE_CLASS } from './clip-text-cleanup.ts';

/** Escapes RegExp syntax characters (and nothing else: the `u` flag rejects needless escapes). */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * CLIP's pre-tokenizer pattern (simple_tokenizer.py `self.pat`, case-insensitive):
 * `<|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`.
 * The special tokens are the given ones (longest first, so neither can shadow the other), as OpenCLIP builds its
 * pattern from its own special tokens, and `\s` is spelled out as the `regex` module reads it (Unicode White_Space).
 * Matches are words, special tokens, single digits, and runs of other symbols.
 */
export function clipSplitPattern(specialTokens: readonly string[]): RegExp {
  const specials = [...new Set(specialTokens)].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(
    `${specials.map((s) => `${s}|`).join('')}'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${WHITE_SPACE_CLASS}\\p{L}\\p{N}]+`,
    'giu',
  );
}

/**
 * Splits cleaned text into the pattern's matches. U+0345 (COMBINING GREEK YPOGEGRAMMENI) case-folds to a letter, so
 * JavaScript's case-insensitive `\p{L}` takes it for one, while the `regex` module matches it with no alternative and
 * skips it like a space; it is turned into a space first so both split alike. A scan of every code point found no other
 * character that the two engines classify differently (apart from ones Node's Unicode data does not assign yet).
 */
export function splitClipText(cleanedText: string, pattern: RegExp): string[] {
  return cleanedText.replaceAll('\u0345', ' ').match(pattern) ?? [];
}
