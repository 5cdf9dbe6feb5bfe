import exifReader from 'exif-reader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { GenerationRecord } from '../pipeline/generation-record.ts';
import { parseRecordJson } from '../pipeline/record-json.ts';
import { encodeImage } from './encode-image.ts';
import { UNICODE_CHARACTER_CODE } from './exif-block.ts';
import { readPngTextChunks } from './png-text-chunks.ts';

const PROMPT = 'a lighthouse — café ☕ 猫 🎨';

const record: GenerationRecord = {
  model: { id: 'tiny', family: 'sd1', weightsHash: 'ab'.repeat(32) },
  prompt: PROMPT,
  negativePrompt: 'flou, « bruit »',
  width: 8,
  height: 8,
  steps: 4,
  guidance: 7.5,
  guidanceRescale: 0,
  clipSkip: 1,
  scheduler: {
    name: 'dpmpp-2m',
    className: 'DPMSolverMultistepScheduler',
    config: {
      lambda_min_clipped: Number.NEGATIVE_INFINITY,
      sample_max_value: Number.POSITIVE_INFINITY,
      beta_end: 0.012,
    },
  },
  seeds: [7],
  onnxRuntimeVersion: '1.0.0',
  executionProviders: ['cpu'],
  safetyChecker: null,
  warnings: [],
  timings: {} as GenerationRecord['timings'],
};
const image = {
  pixels: new Uint8Array(8 * 8 * 3).fill(90),
  width: 8,
  height: 8,
  seed: 7,
  contentFilter: { checked: false, flagged: false },
};

/** EXIF UserComment (EXIF 2.32 Table 9): an 8-byte character code, then the text; UNICODE is UTF-16, big-endian here. */
function userComment(comment: Buffer): string {
  expect(comment.toString('latin1', 0, 8)).toBe(UNICODE_CHARACTER_CODE);
  return Buffer.from(comment.subarray(8)).swap16().toString('utf16le');
}

describe('encodeImage', () => {
  it.each(['jpeg', 'webp'] as const)('keeps a non-ASCII prompt whole in %s EXIF', async (format) => {
    const file = await encodeImage(image, record, { format });
    const metadata = await sharp(file).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual([format, 8, 8]);
    const exif = exifReader(metadata.exif as Buffer);
    expect(exif.bigEndian).toBe(true);
    expect(exif.Image?.Software).toBe('Stipple');
    const parameters = userComment(exif.Photo?.UserComment as Buffer);
    expect(parameters.split('\n').slice(0, 2)).toEqual([PROMPT, 'Negative prompt: flou, « bruit »']);
    const embedded = parseRecordJson(exif.Image?.ImageDescription as string) as GenerationRecord & { seed: number };
    expect([embedded.prompt, embedded.negativePrompt, embedded.seed]).toEqual([PROMPT, record.negativePrompt, 7]);
    const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(Math.abs(data[0] - 90)).toBeLessThanOrEqual(3);
  });

  it.each(['png', 'jpeg', 'webp'] as const)(
    'writes infinite config values so that they read back in %s',
    async (format) => {
      const file = await encodeImage(image, record, { format });
      const json =
        format === 'png'
          ? readPngTextChunks(file).stipple
          : (exifReader((await sharp(file).metadata()).exif as Buffer).Image?.ImageDescription as string);
      expect(JSON.parse(json).scheduler.config.lambda_min_clipped).toEqual({ $numberDouble: '-Infinity' });
      const embedded = parseRecordJson(json) as GenerationRecord;
      expect(embedded.scheduler.config).toEqual(record.scheduler.config);
    },
  );
});
