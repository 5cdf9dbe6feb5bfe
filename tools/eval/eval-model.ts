/**
 * `npm run eval:model`: generates the fixed evaluation set with a tiny-shapes model, scores every image, and prints
 * accuracy per part (in-distribution, held-out), the median time per image and the worst mistakes. A report, not a
 * gate: it exits 0 whatever the accuracy (a usage or model error still fails).
 *
 * Options: --model DIR (default models/tiny-shapes), --steps N, --guidance X, --scheduler NAME (each defaulting to the
 * model's own), --out DIR (writes NN-prompt-slug.png per image and results.json).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeImage, loadModel } from '../../packages/core/src/index.ts';
import { EVAL_PROMPTS } from './eval-prompts.ts';
import { formatReport } from './eval-report.ts';
import { evaluateModel, type PromptResult } from './evaluate-model.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(REPO_ROOT, 'models/tiny-shapes') },
    steps: { type: 'string' },
    guidance: { type: 'string' },
    scheduler: { type: 'string' },
    out: { type: 'string' },
  },
});

/** A numeric option, or undefined when not given; anything unparsable stops the run before the model loads. */
function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    console.error(`--${name} must be a number, found "${text}"`);
    process.exit(2);
  }
  return value;
}

/** File-name-safe form of a prompt: lower case, runs of anything but letters and digits become one dash. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function fileName(result: PromptResult): string {
  return `${String(result.index).padStart(2, '0')}-${slug(result.item.prompt)}.png`;
}

const steps = numberOption('steps', values.steps);
const guidance = numberOption('guidance', values.guidance);
const outDir = values.out === undefined ? undefined : resolve(values.out);
if (outDir) await mkdir(outDir, { recursive: true });

const model = await loadModel(values.model);
try {
  const evaluation = await evaluateModel(model, EVAL_PROMPTS, {
    steps,
    guidance,
    scheduler: values.scheduler,
    onImage: async (result, image, record) => {
      // A progress counter only on a terminal: in a log it would be 48 lines of noise.
      if (process.stderr.isTTY) process.stderr.write(`\r${result.index + 1}/${EVAL_PROMPTS.length}`);
      if (outDir) await writeFile(join(outDir, fileName(result)), await encodeImage(image, record));
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(formatReport(evaluation, `${model.id} (weights ${model.weightsHash.slice(0, 12)})`));
  if (outDir) {
    const { results, ...summary } = evaluation;
    const report = {
      model: { id: model.id, dir: model.dir, weightsHash: model.weightsHash },
      ...summary,
      results: results.map((result) => ({
        index: result.index,
        file: fileName(result),
        prompt: result.item.prompt,
        seed: result.item.seed,
        heldOut: result.item.heldOut,
        scene: result.item.scene,
        score: result.score,
        correct: result.correct,
        ms: result.ms,
      })),
    };
    await writeFile(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nimages and results.json written to ${outDir}`);
  }
} finally {
  await model.release();
}
