import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type StableDiffusionModel } from '../../packages/core/src/index.ts';
import { EVAL_PROMPTS } from '../../tools/eval/eval-prompts.ts';
import { formatReport } from '../../tools/eval/eval-report.ts';
import { evaluateModel } from '../../tools/eval/evaluate-model.ts';

/** The trained model shipped with the repository (tools/forge trains it); committed together with this test. */
const MODEL_DIR = resolve(import.meta.dirname, '../../models/tiny-shapes');

/**
 * Every other prompt of the evaluation set: 12 in-distribution prompts and the default wording of all 12 held-out
 * triples, 24 in all, each with its fixed seed.
 */
const PROMPTS = EVAL_PROMPTS.filter((_, index) => index % 2 === 0);

describe('the shipped tiny-shapes model', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(MODEL_DIR);
  });
  afterAll(() => model?.release());

  it('draws the colour the prompt asks for at least 85% of the time, held-out triples included', async () => {
    expect(PROMPTS).toHaveLength(24);
    expect(PROMPTS.filter((item) => item.heldOut)).toHaveLength(12);
    const evaluation = await evaluateModel(model, PROMPTS);
    // The whole report on failure, so a regression says which prompts went wrong and how.
    const report = formatReport(evaluation, model.id);
    expect(evaluation.overall.count).toBe(24);
    expect(evaluation.overall.colour, report).toBeGreaterThanOrEqual(0.85);
  }, 600_000);
});
