/** The printed report of an evaluation: an accuracy table per part, timing, and the worst mistakes. */

import {
  type EvaluationResult,
  type GroupAccuracy,
  type PromptResult,
  SCORED_ATTRIBUTES,
  type ScoredAttribute,
} from './evaluate-model.ts';
import type { ImageScore } from './score-image.ts';

/** How many mistakes the report lists. */
export const WORST_MISTAKES_SHOWN = 10;

function percent(value: number): string {
  return Number.isNaN(value) ? '—' : `${(100 * value).toFixed(1)}%`;
}

/** A scored image in the grammar's words, e.g. `orange circle on white, top left, small`. */
export function describeScore(score: ImageScore): string {
  if (score.shape === 'none') return `no shape on ${score.background}`;
  return `${score.colour} ${score.shape} on ${score.background}, ${score.position}, ${score.size}`;
}

function wrongAttributes(result: PromptResult): ScoredAttribute[] {
  return SCORED_ATTRIBUTES.filter((attribute) => !result.correct[attribute]);
}

/**
 * The prompts with the most wrong words, worst first. Colour, background and shape are what a caption is mostly
 * about, so at an equal count a mistake among them ranks above position or size; then held-out before
 * in-distribution, then list order, so the ranking is stable.
 */
export function worstMistakes(results: readonly PromptResult[], limit = WORST_MISTAKES_SHOWN): PromptResult[] {
  const weight = (result: PromptResult) =>
    wrongAttributes(result).reduce(
      (sum, attribute) => sum + (attribute === 'position' || attribute === 'size' ? 1 : 1.5),
      0,
    );
  return results
    .filter((result) => wrongAttributes(result).length > 0)
    .sort((a, b) => weight(b) - weight(a) || Number(b.item.heldOut) - Number(a.item.heldOut) || a.index - b.index)
    .slice(0, limit);
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

/** The accuracy table: one row per part, one column per scored attribute. */
export function accuracyTable(evaluation: EvaluationResult): string {
  const header = ['part', 'n', ...SCORED_ATTRIBUTES, 'all right'];
  const widths = [15, 3, ...SCORED_ATTRIBUTES.map((attribute) => Math.max(attribute.length, 6)), 9];
  const line = (label: string, accuracy: GroupAccuracy) =>
    row(
      [
        label,
        String(accuracy.count),
        ...SCORED_ATTRIBUTES.map((attribute) => percent(accuracy[attribute])),
        percent(accuracy.allCorrect),
      ],
      widths,
    );
  return [
    row(header, widths),
    line('in-distribution', evaluation.inDistribution),
    line('held-out', evaluation.heldOut),
    line('all', evaluation.overall),
  ].join('\n');
}

/** The whole report as printed by `npm run eval:model`. */
export function formatReport(evaluation: EvaluationResult, modelLabel: string): string {
  const { settings } = evaluation;
  const how = settings
    ? `${settings.width}×${settings.height}, ${settings.steps} steps, guidance ${settings.guidance}, ${settings.scheduler}`
    : 'no images';
  const lines = [`${modelLabel}: ${evaluation.results.length} prompts, ${how}`, '', accuracyTable(evaluation), ''];
  lines.push(`median per image: ${evaluation.medianMs.toFixed(1)} ms`);
  const mistakes = worstMistakes(evaluation.results);
  lines.push('', mistakes.length === 0 ? 'no mistakes' : `worst mistakes (${mistakes.length} shown):`);
  for (const result of mistakes) {
    const part = result.item.heldOut ? 'held-out' : 'in-dist';
    lines.push(
      `  #${result.index} [${part}] "${result.item.prompt}" (seed ${result.item.seed})`,
      `      → ${describeScore(result.score)}   wrong: ${wrongAttributes(result).join(', ')}`,
    );
  }
  return lines.join('\n');
}
