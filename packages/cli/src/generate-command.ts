import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeImage, generate, loadModel } from '@stipple/core';
import { DEFAULT_MODEL_DIR } from './default-model.ts';
import { EDIT_OPTIONS, editUsage, readEditFlags } from './edit-flags.ts';
import { GENERATION_OPTIONS, readGenerationFlags } from './generation-flags.ts';
import { numberedPaths } from './output-paths.ts';
import { parseNumber } from './parse-number.ts';
import { createProgressBar } from './progress-bar.ts';

export const GENERATE_USAGE = `stipple-cli generate --prompt TEXT --out FILE [options]
  --model DIR         a Stable Diffusion ONNX export (default: models/tiny-shapes, shipped with Stipple)
  --negative TEXT     what to steer away from
  --width N --height N  pixels, multiples of 8 (default: the model's native size)
  --steps N           denoising steps, 1-1000 (default: the model family's)
  --guidance X        classifier-free guidance, 0-50 (default: the model family's)
  --scheduler NAME    euler, euler-ancestral, ddim, dpmpp-2m, dpmpp-2m-karras, lcm (default: the model's own)
  --seed N            0-4294967295 (default: random, printed); image i uses seed + i
  --n N               images, 1-16; files are numbered name-1.png, name-2.png, ...
  --format F          png, jpeg or webp (default: from --out's extension, else png)
  --clip-skip N       text-encoder layers to skip from the end, as A1111 (SDXL exports; default 1)
  --threads N         ONNX Runtime threads inside an operator (default: one per core)
  --providers LIST    ONNX Runtime execution providers in order, e.g. cuda,cpu (default: cpu)
${editUsage('the size defaults to its own')}`;

export async function generateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...GENERATION_OPTIONS, ...EDIT_OPTIONS, threads: { type: 'string' }, providers: { type: 'string' } },
  });
  const { out, format, model: modelDir, ...flags } = readGenerationFlags(values);
  const request = { ...flags, ...(await readEditFlags(values)) };
  const model = await loadModel(modelDir ?? DEFAULT_MODEL_DIR, {
    intraOpThreads: parseNumber('threads', values.threads),
    executionProviders: values.providers?.split(',').map((provider) => provider.trim()),
  });
  try {
    const { images, record } = await generate(model, request, { onProgress: createProgressBar() });
    for (const warning of record.warnings) process.stderr.write(`warning: ${warning}\n`);
    const paths = numberedPaths(out, images.length);
    await mkdir(dirname(out), { recursive: true });
    for (const [i, image] of images.entries()) {
      await writeFile(paths[i], await encodeImage(image, record, { format }));
      process.stdout.write(`${paths[i]}\n`);
    }
    const { timings } = record;
    const strength = record.edit ? `, strength ${record.edit.strength}` : '';
    process.stderr.write(
      `seed ${record.seeds[0]}, ${record.scheduler.name}, ${record.steps} steps${strength}, guidance ${record.guidance}: ` +
        `${(timings.totalMs / 1000).toFixed(2)}s (unet ${(timings.unetMs / 1000).toFixed(2)}s)\n`,
    );
    return 0;
  } finally {
    await model.release();
  }
}
