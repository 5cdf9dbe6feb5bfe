import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SCHEDULERS } from '@stipple/jobs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPngTextChunks } from '../../packages/core/src/index.ts';
import { FIXTURE_VARIANTS, fixtureModel } from '../fixture-models.ts';

const BIN = resolve(import.meta.dirname, '../../packages/cli/bin/stipple.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function stipple(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'stipple-cli-'));
});

const small = ['--width', '64', '--height', '64', '--steps', '2'];

describe('stipple-cli generate', () => {
  const matrix = FIXTURE_VARIANTS.flatMap((variant) => SCHEDULERS.map((scheduler) => [variant, scheduler]));

  it.each(matrix)('writes a valid PNG from the %s fixture with %s', async (variant, scheduler) => {
    const out = join(outDir, `${variant}-${scheduler}.png`);
    const result = await stipple(
      'generate',
      '--model',
      fixtureModel(variant),
      '--prompt',
      'a red circle',
      ...small,
      '--scheduler',
      scheduler,
      '--seed',
      '1',
      '--out',
      out,
    );
    expect(result.stderr).toContain('step 2/2');
    expect([result.code, result.stdout.trim()]).toEqual([0, out]);
    const { width, height, format } = await sharp(out).metadata();
    expect({ width, height, format }).toEqual({ width: 64, height: 64, format: 'png' });
  });

  it('uses the shipped tiny-shapes model and its defaults when no model is given', async () => {
    const out = join(outDir, 'default-model.png');
    const result = await stipple(
      'generate',
      '--prompt',
      'a red circle on a blue background',
      '--seed',
      '5',
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    const record = JSON.parse(readPngTextChunks(await readFile(out)).stipple);
    expect(record).toMatchObject({ model: { id: 'tiny-shapes' }, width: 64, height: 64, steps: 20, guidance: 5 });
    expect(record.scheduler.name).toBe('dpmpp-2m');
  });

  it('writes byte-identical files for the same seed and different files for another seed', async () => {
    const run = (name: string, seed: string) =>
      stipple(
        'generate',
        '--model',
        fixtureModel('sd15-int32'),
        '--prompt',
        'a blue square',
        ...small,
        '--seed',
        seed,
        '--out',
        join(outDir, name),
      );
    await Promise.all([run('same-a.png', '77'), run('same-b.png', '77'), run('other.png', '78')]);
    const [a, b, other] = await Promise.all(
      ['same-a.png', 'same-b.png', 'other.png'].map((name) => readFile(join(outDir, name))),
    );
    expect(a.equals(b)).toBe(true);
    expect(a.equals(other)).toBe(false);
  });

  it('numbers the files of a batch and embeds each image own seed', async () => {
    const out = join(outDir, 'batch.png');
    const result = await stipple(
      'generate',
      '--model',
      fixtureModel('lcm'),
      '--prompt',
      'a cat',
      ...small,
      '--seed',
      '3',
      '--n',
      '2',
      '--out',
      out,
    );
    expect(result.stdout.trim().split('\n')).toEqual([join(outDir, 'batch-1.png'), join(outDir, 'batch-2.png')]);
    const texts = readPngTextChunks(await readFile(join(outDir, 'batch-2.png')));
    expect(texts.parameters).toMatch(
      /^a cat\nSteps: 2, Sampler: LCM, CFG scale: 8.5, Seed: 4, Size: 64x64, Model hash: [0-9a-f]{10}, Model: lcm/,
    );
    expect(JSON.parse(texts.stipple)).toMatchObject({ seed: 4, steps: 2, model: { id: 'lcm', family: 'lcm' } });
  });

  it.each([
    ['jpeg', 'jpeg'],
    ['webp', 'webp'],
  ])('writes %s on request with the parameters in EXIF', async (format, expected) => {
    const out = join(outDir, `image.${format}`);
    const result = await stipple(
      'generate',
      '--model',
      fixtureModel('sd15-int32'),
      '--prompt',
      'a cat',
      ...small,
      '--format',
      format,
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    const metadata = await sharp(out).metadata();
    expect(metadata.format).toBe(expected);
    // UserComment holds the parameters in UTF-16, big-endian (packages/core/src/image/exif-block.ts).
    const utf16 = Buffer.from('Steps: 2, Sampler: Euler', 'utf16le').swap16();
    expect(metadata.exif?.includes(utf16)).toBe(true);
  });

  it.each([
    [['--width', '100'], /width 100 is not allowed; use 8–2048 in steps of 8 \[invalid_width\]/],
    [['--steps', 'many'], /--steps "many" is not a number/],
    [['--scheduler', 'plms'], /scheduler "plms"|plms/],
    [['--format', 'gif'], /--format "gif" is not supported; use png, jpeg or webp/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--image', 'no-such-file.png'], /--image no-such-file.png cannot be read: ENOENT \[input_file_unreadable\]/],
    [['--strength', '0.5'], /strength needs image; send image too or leave strength out \[invalid_strength\]/],
    [['--image', 'x.png', '--strength', 'lots'], /--strength "lots" is not a number/],
    [['--image', 'x.png', '--keep-unmasked', 'maybe'], /--keep-unmasked "maybe" is not true or false/],
    [['--clip-skip', '2'], /\[clip_skip_unsupported\]/],
    [['--clip-skip', 'two'], /--clip-skip "two" is not a number/],
  ])('exits 2 with a clear message for %j', async (extra, message) => {
    const result = await stipple(
      'generate',
      '--model',
      fixtureModel('sd15-int32'),
      '--prompt',
      'a cat',
      '--out',
      join(outDir, 'x.png'),
      ...extra,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exits 2 naming the missing model file', async () => {
    const result = await stipple(
      'generate',
      '--model',
      fixtureModel('broken/missing-unet'),
      '--prompt',
      'a cat',
      '--out',
      join(outDir, 'y.png'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing-unet\/unet\/model\.onnx is missing.*\[model_file_missing\]/);
  });
});

describe('stipple-cli generate --image', () => {
  let image: string;
  let mask: string;
  beforeAll(async () => {
    image = join(outDir, 'input.png');
    mask = join(outDir, 'mask.png');
    await sharp({ create: { width: 40, height: 32, channels: 3, background: '#3050c0' } }).toFile(image);
    await sharp({ create: { width: 40, height: 32, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: 16, height: 16, channels: 3, background: '#fff' } }, left: 8, top: 8 }])
      .toFile(mask);
  });

  it('edits an image with a mask, sized to the image, and embeds the strength and mask blur', async () => {
    const out = join(outDir, 'edited.png');
    const result = await stipple(
      'generate',
      '--model',
      fixtureModel('sd15-int32'),
      '--prompt',
      'a cat',
      '--steps',
      '4',
      '--seed',
      '3',
      '--image',
      image,
      '--mask',
      mask,
      '--strength',
      '0.5',
      '--mask-blur',
      '2',
      '--out',
      out,
    );
    expect(result).toMatchObject({ code: 0, stdout: `${out}\n` });
    expect(result.stderr).toMatch(/steps, strength 0.5, guidance/);
    const file = await readFile(out);
    expect(await sharp(file).metadata()).toMatchObject({ width: 40, height: 32 });
    expect(readPngTextChunks(file).parameters).toMatch(/Denoising strength: 0.5, Mask blur: 2/);
  });
});

describe('stipple tokenize', () => {
  it('prints ids with start and end tokens, tokens and truncation', async () => {
    const result = await stipple('tokenize', '--model', fixtureModel('sd15-int32'), 'a red circle');
    const printed = JSON.parse(result.stdout);
    expect(printed.tokens).toEqual(['<|startoftext|>', 'a</w>', 'red</w>', 'circle</w>', '<|endoftext|>']);
    expect(printed.ids).toHaveLength(5);
    expect(printed.ids[0]).toBe(912);
    expect(printed.ids.at(-1)).toBe(913);
    expect(printed.truncated).toBe(false);
  });
});

describe('stipple info', () => {
  it('prints the family, the components and the scheduler with its defaults', async () => {
    const result = await stipple('info', '--model', fixtureModel('sd2-v-prediction'), '--json');
    const info = JSON.parse(result.stdout);
    expect(info.family).toBe('sd2');
    expect(info.components.unet.inputs).toContain('timestep int64[steps]');
    expect(info.scheduler).toMatchObject({ shipped: 'DDIMScheduler', default: 'ddim', implemented: true });
    expect(info.scheduler.config.prediction_type).toBe('v_prediction');
    expect(info.defaults).toEqual({ width: 96, height: 96, steps: 25, guidance: 7.5 });
    expect(Object.keys(info.load.stagesMs)).toEqual(['configs', 'sessions', 'weightsHash', 'total']);
    expect(info.load.weightsHash.files).toBe(3);
    expect(info.components.vae_decoder).toMatchObject({ component: 'vae_decoder', forceUpcast: true });
  });

  it('prints readable text by default', async () => {
    const result = await stipple('info', '--model', fixtureModel('sd15-int32'));
    expect(result.stdout).toMatch(/family {8}sd1/);
    expect(result.stdout).toMatch(/scheduler {5}PNDMScheduler -> euler \(not implemented here/);
    expect(result.stdout).toMatch(/load {10}\d+ ms: configs \d+ ms, sessions \d+ ms, weights hash \d+ ms \(\d of 4 /);
    expect(result.stdout).toContain('safety        no safety_checker/: images are reported unchecked');
  });

  it('prints the safety checker, its interface and its load time', async () => {
    const text = (await stipple('info', '--model', fixtureModel('safety-checker'))).stdout;
    expect(text).toMatch(/load {10}\d+ ms: configs \d+ ms, sessions \d+ ms, safety checker \d+ ms, weights hash /);
    expect(text).toContain('safety        in:  clip_input float32[batch, channels, height, width], images float32[');
    expect(text).toContain('checks every image: the verdict and its scores');
    const info = JSON.parse((await stipple('info', '--model', fixtureModel('safety-checker'), '--json')).stdout);
    expect(info.safetyChecker.outputs).toContain('special_scores float32[batch, 3]');
    expect(info.load.safetyChecker.ms).toBeGreaterThan(0);
  });
});
