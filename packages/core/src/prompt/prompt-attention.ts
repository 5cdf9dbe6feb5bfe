import { ValidationError } from '../errors.ts';

/** A run of prompt text and its attention weight (1 = as written). */
export interface WeightedText {
  kind: 'text';
  text: string;
  weight: number;
}

/** `BREAK`: the rest of the prompt starts a new 75-token chunk. */
export interface PromptBreak {
  kind: 'break';
}

export type PromptSegment = WeightedText | PromptBreak;

/** `(text)` multiplies attention by 1.1, `[text]` divides by it (A1111 wiki, "Features → Attention/emphasis"). */
export const EMPHASIS_FACTOR = 1.1;

/**
 * One lexical piece of a prompt, in priority order: an escaped character (`\(`, `\)`, `\[`, `\]`, `\\`), a lone
 * backslash (dropped, as A1111 drops it), an opening bracket, an explicit weight closing a round bracket
 * (`:1.3)`), a closing bracket, a run of plain text, or a lone colon (plain text).
 */
const PIECE = /\\([()[\]\\])|\\|(\()|(\[)|:\s*([+-]?[.\d]+)\s*\)|(\))|(\])|([^\\()[\]:]+)|(:)/gy;

/** `BREAK` as a whole word with the whitespace around it, as A1111's `re_break`. */
const BREAK_WORD = /\s*\bBREAK\b\s*/;

/**
 * Splits a prompt into weighted runs of text, as AUTOMATIC1111's `prompt_parser.parse_prompt_attention` documents it:
 * `(a)` ×1.1, `((a))` ×1.21, `[a]` ÷1.1, `(a:1.3)` ×1.3 (the explicit weight replaces the bracket's 1.1), `\(` and
 * friends are literal, a bracket left open applies to the end of the prompt, a closing bracket with nothing open is
 * literal text, and neighbouring runs of equal weight are merged. Weights multiply in the order brackets close, so
 * the floating-point results equal A1111's (`(((house:1.3))` → 1.3 · 1.1, then · 1.1 for the bracket never closed).
 *
 * Unlike A1111, `BREAK` inside brackets still breaks (A1111 turns it into the word "BREAK" with a negative weight).
 * @throws ValidationError `invalid_prompt_weight` for an explicit weight that is not a number (`(a:1.2.3)`).
 */
export function parsePromptAttention(prompt: string): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const openRound: number[] = [];
  const openSquare: number[] = [];
  const scale = (from: number, factor: number) => {
    for (const segment of segments.slice(from)) if (segment.kind === 'text') segment.weight *= factor;
  };
  const addText = (text: string) => {
    text.split(BREAK_WORD).forEach((part, i) => {
      if (i > 0) segments.push({ kind: 'break' });
      segments.push({ kind: 'text', text: part, weight: 1 });
    });
  };

  PIECE.lastIndex = 0;
  for (let match = PIECE.exec(prompt); match !== null; match = PIECE.exec(prompt)) {
    const [piece, escaped, round, square, weight, closeRound, closeSquare] = match;
    if (escaped !== undefined) segments.push({ kind: 'text', text: escaped, weight: 1 });
    else if (piece === '\\') continue;
    else if (round) openRound.push(segments.length);
    else if (square) openSquare.push(segments.length);
    else if (weight !== undefined && openRound.length > 0) scale(openRound.pop() as number, explicitWeight(weight));
    else if (closeRound && openRound.length > 0) scale(openRound.pop() as number, EMPHASIS_FACTOR);
    else if (closeSquare && openSquare.length > 0) scale(openSquare.pop() as number, 1 / EMPHASIS_FACTOR);
    else addText(piece);
  }
  for (const start of openRound) scale(start, EMPHASIS_FACTOR);
  for (const start of openSquare) scale(start, 1 / EMPHASIS_FACTOR);
  return mergeEqualWeights(segments);
}

function explicitWeight(text: string): number {
  const weight = Number(text);
  if (Number.isFinite(weight)) return weight;
  throw new ValidationError(
    'invalid_prompt_weight',
    `prompt weight "${text}" is not a number; write an explicit weight as (text:1.3)`,
    { field: 'prompt', value: text },
  );
}

/** Joins neighbouring text runs of the same weight and drops empty ones; an empty prompt is one empty run. */
function mergeEqualWeights(segments: readonly PromptSegment[]): PromptSegment[] {
  const merged: PromptSegment[] = [];
  for (const segment of segments) {
    const last = merged.at(-1);
    if (segment.kind === 'text' && segment.text === '') continue;
    if (segment.kind === 'text' && last?.kind === 'text' && last.weight === segment.weight) last.text += segment.text;
    else merged.push({ ...segment });
  }
  return merged.length > 0 ? merged : [{ kind: 'text', text: '', weight: 1 }];
}
