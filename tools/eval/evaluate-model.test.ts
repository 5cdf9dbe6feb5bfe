import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { EVAL_PROMPTS } from './eval-prompts.ts';
import { accuracyTable, formatReport, worstMistakes } from './eval-report.ts';
import { evaluateModel, groupAccuracy, median, type PromptResult, SCORED_ATTRIBUTES } from './evaluate-model.ts';
import { renderScene } from './render-shape.ts';
import { scoreImage } from './score-image.ts';

// The loop is checked with a committed fixture (random weights: the pictures are noise, so only the bookkeeping is
// under test here; test/model/tiny-shapes.test.ts holds the trained model to an accuracy).
const FIXTURE = resolve(import.meta.dirname, '../../test/fixtures/models/sd15-int32');
const PROMPTS = [EVAL_PROMPTS[0], EVAL_PROMPTS[1], EVAL_PROMPTS[24], EVAL_PROMPTS[25]];

describe('evaluateModel with a fixture model', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(FIXTURE);
  });
  afterAll(() => model.release());

  it('generates every prompt with its seed, scores it against its scene and splits the parts', async () => {
    const seen: number[] = [];
    const evaluation = await evaluateModel(model, PROMPTS, {
      steps: 2,
      onImage: (result, image, record) => {
        seen.push(result.index);
        expect([image.width, image.height, image.seed]).toEqual([64, 64, result.item.seed]);
        expect(result.score).toEqual(scoreImage(image.pixels, 64, 64));
        expect(record.prompt).toBe(result.item.prompt);
      },
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(evaluation.results.map((result) => result.item)).toEqual(PROMPTS);
    for (const result of evaluation.results) {
      for (const attribute of SCORED_ATTRIBUTES) {
        expect(result.correct[attribute]).toBe(result.score[attribute] === result.item.scene[attribute]);
      }
    }
    expect(evaluation.inDistribution.count).toBe(2);
    expect(evaluation.heldOut.count).toBe(2);
    expect(evaluation.overall).toEqual(groupAccuracy(evaluation.results));
    // Guidance and scheduler are the model's own defaults (none given), whatever those are.
    expect(evaluation.settings).toMatchObject({ steps: 2, width: 64, height: 64 });
    expect(evaluation.medianMs).toBeGreaterThan(0);
    expect(formatReport(evaluation, 'fixture')).toContain('fixture: 4 prompts, 64×64, 2 steps');
  });

  it('gives the same scores for the same prompts and seeds', async () => {
    const [first, again] = [
      await evaluateModel(model, PROMPTS, { steps: 2 }),
      await evaluateModel(model, PROMPTS, { steps: 2 }),
    ];
    expect(again.results.map((result) => result.score)).toEqual(first.results.map((result) => result.score));
  });
});

describe('accuracy and the report', () => {
  /** A result as if the model had drawn `drawn` for prompt `index` of the evaluation set. */
  function resultFor(index: number, drawn: Partial<(typeof EVAL_PROMPTS)[number]['scene']>): PromptResult {
    const item = EVAL_PROMPTS[index];
    const score = scoreImage(renderScene({ ...item.scene, ...drawn }), 64, 64);
    const correct = Object.fromEntries(SCORED_ATTRIBUTES.map((a) => [a, score[a] === item.scene[a]]));
    return { index, item, score, correct: correct as PromptResult['correct'], ms: index };
  }

  it('counts each attribute over its group and ranks the worst mistakes first', () => {
    const results = [
      resultFor(0, {}),
      resultFor(1, { colour: 'red' }),
      resultFor(2, { colour: 'red', shape: 'square' }),
      resultFor(3, { position: 'top left' }),
    ];
    const accuracy = groupAccuracy(results);
    expect(accuracy).toMatchObject({
      count: 4,
      colour: 0.5,
      shape: 0.75,
      background: 1,
      position: 0.75,
      allCorrect: 0.25,
    });
    expect(worstMistakes(results).map((result) => result.index)).toEqual([2, 1, 3]);
    expect(Number.isNaN(groupAccuracy([]).colour)).toBe(true);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const table = accuracyTable({
      results,
      inDistribution: accuracy,
      heldOut: groupAccuracy([]),
      overall: accuracy,
      medianMs: 1,
      settings: undefined,
    });
    expect(table).toMatch(/in-distribution\s+4\s+50\.0%\s+100\.0%\s+75\.0%\s+75\.0%/);
    expect(table).toMatch(/held-out\s+0\s+—/);
  });
});
