import type { PromptModerator } from './prompt-moderator.ts';

/** A letter or digit in any script: what a term must not touch on either side to match as a whole word. */
const WORD_CHARACTER = '[\\p{L}\\p{N}\\p{M}_]';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * One pattern for the operator's terms (`MODERATION_TERMS`): each matches as a whole word or phrase, ignoring case
 * (Unicode case folding, `u` + `i`): `Fox` matches "a fox.", "FOX-like", not "foxes" or "firefox"; a phrase's words
 * may be separated by any run of spaces. Letters, digits, marks and `_` count as word characters, so a term inside a
 * longer word never matches; punctuation, spaces and the ends of the prompt are boundaries.
 */
export function termPattern(terms: readonly string[]): RegExp {
  const alternatives = terms.map((term) => term.trim().split(/\s+/).map(escapeRegExp).join('\\s+'));
  return new RegExp(`(?<!${WORD_CHARACTER})(?:${alternatives.join('|')})(?!${WORD_CHARACTER})`, 'iu');
}

/**
 * The built-in moderator: flags a prompt holding any of the operator's terms (`termPattern`). It reports no
 * categories and never says which term matched, so a client cannot probe the list term by term from the answers.
 */
export function termListModerator(terms: readonly string[]): PromptModerator {
  const pattern = termPattern(terms);
  return {
    name: 'term_list',
    moderate: async (prompt) => ({ flagged: pattern.test(prompt) }),
  };
}
