/**
 * `npm run bench:core`: where the time of one image goes, for a fixed model, size and step count (default: the shipped
 * tiny-shapes model at its own size and at 512², its own steps). The goal it checks is wall time ≤ 1.02 × the summed
 * time inside ONNX Runtime's `session.run` at 512² (our TypeScript around the graphs costs ≤ 2%; issue 17).
 * Options: --model DIR --size N (instead of both sizes) --steps N --runs N --scheduler NAME --thread (sessions in the
 * inference thread, as the gpu-worker runs them).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createThreadedOnnxSession, encodeImage, generate, loadModel, onnxRuntimeVersion } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: resolve(import.meta.dirname, '../../../models/tiny-shapes') },
    size: { type: 'string' },
    steps: { type: 'string' },
    runs: { type: 'string', default: '7' },
    scheduler: { type: 'string' },
    thread: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const GOAL_SIZE = 512;
const GOAL_RATIO = 1.02;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const model = await loadModel(values.model, values.thread ? { sessionFactory: createThreadedOnnxSession } : {});
const sizes = values.size === undefined ? [model.defaultSize.width, GOAL_SIZE] : [Number(values.size)];
const steps = values.steps === undefined ? model.defaults.steps : Number(values.steps);

async function measure(size: number): Promise<string[][]> {
  const request = { prompt: 'a red circle on a blue background', width: size, height: size, steps };
  let scheduler = values.scheduler ?? '';
  const samples: Record<string, number[]> = { wall: [], sessionRun: [], tokenize: [], scheduler: [], encode: [] };
  for (let run = -1; run < runs; run++) {
    const start = performance.now();
    const { images, record } = await generate(model, { ...request, scheduler: values.scheduler, seed: run + 1 });
    const encodeStart = performance.now();
    await encodeImage(images[0], record);
    const end = performance.now();
    if (run < 0) continue; // warm-up: first-run allocations and graph optimisation caches
    const { timings } = record;
    scheduler = record.scheduler.name;
    samples.wall.push(encodeStart - start);
    samples.sessionRun.push(timings.sessionRunMs);
    samples.tokenize.push(timings.tokenizeMs);
    samples.scheduler.push(timings.schedulerMs);
    samples.encode.push(end - encodeStart);
  }
  const ratios = samples.wall.map((value, i) => value / samples.sessionRun[i]);
  const goal = size === GOAL_SIZE ? `goal ≤ ${GOAL_RATIO}` : `goal at ${GOAL_SIZE}²`;
  return [
    ['size, steps, scheduler', `${size}x${size}, ${steps} steps, ${scheduler}`],
    ['wall per image (ms)', median(samples.wall).toFixed(1)],
    ['inside session.run (ms)', median(samples.sessionRun).toFixed(1)],
    ['wall / session.run', `${median(ratios).toFixed(3)} (median of ${runs} ratios; ${goal})`],
    ['tokenizer (ms)', median(samples.tokenize).toFixed(3)],
    ['scheduler (ms)', median(samples.scheduler).toFixed(2)],
    ['png encoding (ms)', median(samples.encode).toFixed(2)],
  ];
}

const header = [
  ['model', `${model.id} (${model.family.family})`],
  [
    'onnxruntime',
    `${onnxRuntimeVersion} on ${model.executionProviders.join(', ')}${values.thread ? ' (inference thread)' : ''}, ${runs} runs after 1 warm-up (medians)`,
  ],
];
const rows = [...header];
for (const size of sizes) rows.push(...(await measure(size)));
await model.release();
for (const [label, value] of rows) console.log(`${label.padEnd(26)}${value}`);
