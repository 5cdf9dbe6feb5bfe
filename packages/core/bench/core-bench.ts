/**
 * `npm run bench:core`: where the time of one image goes, for a fixed model, size and step count (default: the shipped
 * tiny-shapes model at its own defaults). The goal it checks is wall time ≤ 1.05 × the time inside ONNX Runtime's
 * `session.run` (our TypeScript around the graphs costs ≤ 5%).
 * Options: --model DIR --size N --steps N --runs N --scheduler NAME (size, steps and scheduler default to the model's).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeImage, generate, loadModel, onnxRuntimeVersion } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: resolve(import.meta.dirname, '../../../models/tiny-shapes') },
    size: { type: 'string' },
    steps: { type: 'string' },
    runs: { type: 'string', default: '7' },
    scheduler: { type: 'string' },
  },
});
const runs = Number(values.runs);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const model = await loadModel(values.model);
const size = values.size === undefined ? model.defaultSize.width : Number(values.size);
const steps = values.steps === undefined ? model.defaults.steps : Number(values.steps);
const request = {
  prompt: 'a red circle on a blue background',
  width: size,
  height: size,
  steps,
  scheduler: values.scheduler,
};
let scheduler = values.scheduler ?? '';
const samples: Record<string, number[]> = {
  wall: [],
  sessionRun: [],
  tokenize: [],
  scheduler: [],
  encode: [],
  unet: [],
};
for (let run = -1; run < runs; run++) {
  const start = performance.now();
  const { images, record } = await generate(model, { ...request, seed: run + 1 });
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
  samples.unet.push(timings.unetMs);
  samples.encode.push(end - encodeStart);
}
await model.release();

const wall = median(samples.wall);
const sessionRun = median(samples.sessionRun);
const ratios = samples.wall.map((value, i) => value / samples.sessionRun[i]);
const rows = [
  ['model', `${model.id} (${model.family.family})`],
  ['size, steps, scheduler', `${size}x${size}, ${steps} steps, ${scheduler}`],
  ['onnxruntime', `${onnxRuntimeVersion} on cpu, ${runs} runs after 1 warm-up (medians)`],
  ['wall per image (ms)', wall.toFixed(1)],
  ['inside session.run (ms)', sessionRun.toFixed(1)],
  ['wall / session.run', `${median(ratios).toFixed(3)} (goal ≤ 1.05)`],
  ['tokenizer (ms)', median(samples.tokenize).toFixed(3)],
  ['scheduler (ms)', median(samples.scheduler).toFixed(2)],
  ['png encoding (ms)', median(samples.encode).toFixed(2)],
];
for (const [label, value] of rows) console.log(`${label.padEnd(26)}${value}`);
