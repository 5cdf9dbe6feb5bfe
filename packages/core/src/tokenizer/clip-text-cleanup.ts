import { htmlUnescape, windows1252ForC1 } from './html-unescape.ts';

/**
 * Unicode's White_Space characters, as a RegExp class body: what `\s` means to the `regex` module that CLIP's
 * simple_tokenizer.py imports as `re`. JavaScript's `\s` differs (it adds U+FEFF and lacks U+0085), so it is spelled
 * out.
 */
export const WHITE_SPACE_CLASS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITE_SPACE_RUN = new RegExp(`[${WHITE_SPACE_CLASS}]+`, 'g');
const EDGE_WHITE_SPACE = new RegExp(`^[${WHITE_SPACE_CLASS}]+|[${WHITE_SPACE_CLASS}]+$`, 'g');

/** ftfy's `LIGATURES`: Latin typographic ligatures and legacy digraphs, which in prompts are copy/paste accidents. */
const LIGATURES: Readonly<Record<string, string>> = {
  Ĳ: 'IJ',
  ĳ: 'ij',
  ŉ: 'ʼn',
  Ǳ: 'DZ',
  ǲ: 'Dz',
  ǳ: 'dz',
  Ǆ: 'DŽ',
  ǅ: 'Dž',
  ǆ: 'dž',
  Ǉ: 'LJ',
  ǈ: 'Lj',
  ǉ: 'lj',
  Ǌ: 'NJ',
  ǋ: 'Nj',
  ǌ: 'nj',
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'ſt',
  ﬆ: 'st',
};
const LIGATURE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');

const C1_CONTROL = /[\x80-\x9f]/g;
/** ftfy's `fix_character_width`: the ideographic space and the halfwidth/fullwidth forms block, U+FF01..U+FFEF. */
const WIDE_OR_HALFWIDTH = /[\u3000\uff01-\uffef]/g;
const CURLY_SINGLE_QUOTE = /[\u02bc\u2018-\u201b]/g;
const CURLY_DOUBLE_QUOTE = /[\u201c-\u201f]/g;
const LONE_SURROGATE = /\p{Cs}/gu;
/** ftfy's `ANSI_RE` (terminal colour codes and the like), with ASCII digits where ftfy's `\d` takes any digit. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: an escape sequence starts with the ESC control character.
const TERMINAL_ESCAPE = /\x1b\[[0-9;]*[a-zA-Z]/g;
/** ftfy's `CONTROL_CHARS`: controls other than tab/newline/CR/FF, deprecated format characters, BOM, annotations. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL_CHARS = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/**
 * The character-level fixers of `ftfy.fix_text` with its default settings, in ftfy's order (ftfy/__init__.py,
 * `fix_and_explain`). ftfy's mojibake repair (`fix_encoding` and its helpers) and its own HTML unescape pass are not
 * done; `fix_line_breaks` is left out because whitespace is collapsed afterwards anyway.
 */
export function fixTextLite(text: string): string {
  return text
    .replace(C1_CONTROL, windows1252ForC1)
    .replace(LIGATURE, (char) => LIGATURES[char])
    .replace(WIDE_OR_HALFWIDTH, (char) => (char === '\u3000' ? ' ' : char.normalize('NFKC')))
    .replace(CURLY_SINGLE_QUOTE, "'")
    .replace(CURLY_DOUBLE_QUOTE, '"')
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(TERMINAL_ESCAPE, '')
    .replace(CONTROL_CHARS, '')
    .normalize('NFC');
}

/**
 * CLIP's prompt normalization, `whitespace_clean(basic_clean(text)).lower()` from simple_tokenizer.py: ftfy's fixes
 * (the subset in {@link fixTextLite}), HTML unescaping twice, every whitespace run collapsed to one space, ends
 * trimmed, lower-cased.
 */
export function cleanClipText(text: string): string {
  const unescaped = htmlUnescape(htmlUnescape(fixTextLite(text)));
  return unescaped.replace(WHITE_SPACE_RUN, ' ').replace(EDGE_WHITE_SPACE, '').toLowerCase();
}
