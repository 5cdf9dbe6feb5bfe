import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generate,
  loadModel,
  ModelError,
  type StableDiffusionModel,
  type StippleError,
  ValidationError,
} from '../../packages/core/src/index.ts';
import { fixtureModel } from '../fixture-models.ts';

async function caught(work: Promise<unknown>): Promise<StippleError> {
  try {
    await work;
  } catch (error) {
    return error as StippleError;
  }
  throw new Error('expected the call to fail');
}

describe('loadModel with a broken model', () => {
  it('names the missing file', async () => {
    const error = await caught(loadModel(fixtureModel('broken/missing-unet')));
    expect(error).toBeInstanceOf(ModelError);
    expect(error.code).toBe('model_file_missing');
    expect(error.message).toContain(join('missing-unet', 'unet', 'model.onnx'));
  });

  it('names the corrupt file and what ONNX Runtime said', async () => {
    const error = await caught(loadModel(fixtureModel('broken/corrupt-unet')));
    expect(error.code).toBe('model_file_corrupt');
    expect(error.message).toMatch(/corrupt-unet\/unet\/model\.onnx could not be opened by ONNX Runtime/);
  });

  it('names the graph, the input and what was expected versus found', async () => {
    const error = await caught(loadModel(fixtureModel('broken/wrong-unet-input')));
    expect(error.code).toBe('model_contract_mismatch');
    expect(error.message).toMatch(/unet\/model\.onnx has inputs the engine cannot feed: text_states/);
  });

  it('rejects a folder that does not exist', async () => {
    const error = await caught(loadModel('/nonexistent/model'));
    expect([error.code, error.message]).toEqual(['model_not_found', 'model folder /nonexistent/model does not exist']);
  });

  it('rejects a model_index.json that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stipple-model-'));
    await writeFile(join(dir, 'model_index.json'), '{ not json');
    const error = await caught(loadModel(dir));
    expect(error.code).toBe('model_file_corrupt');
    expect(error.message).toContain(join(dir, 'model_index.json'));
  });
});

describe('generate with bad input', () => {
  let model: StableDiffusionModel;
  beforeAll(async () => {
    model = await loadModel(fixtureModel('sd15-int32'));
  });
  afterAll(() => model.release());

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['a width off the grid', { width: 100 }, 'invalid_width', /width 100 is not allowed; use 8–2048 in steps of 8/],
    ['a zero height', { height: 0 }, 'invalid_height', /height 0 is not allowed/],
    ['too many steps', { steps: 1001 }, 'invalid_steps', /steps 1001 is out of range; use an integer from 1 to 1000/],
    ['fractional steps', { steps: 2.5 }, 'invalid_steps', /steps 2.5 is out of range/],
    [
      'guidance over 50',
      { guidance: 51 },
      'invalid_guidance',
      /guidance 51 is out of range; use a number from 0 to 50/,
    ],
    ['negative guidance', { guidance: -1 }, 'invalid_guidance', /guidance -1/],
    ['n of 17', { n: 17 }, 'invalid_n', /n 17 is out of range; use an integer from 1 to 16/],
    ['n of 0', { n: 0 }, 'invalid_n', /n 0 is out of range/],
    ['an unknown scheduler', { scheduler: 'plms' }, 'unknown_scheduler', /plms/],
    ['a negative seed', { seed: -4 }, 'invalid_seed', /seed -4 is out of range; use an integer from 0 to 4294967295/],
    ['guidance rescale over 1', { guidanceRescale: 2 }, 'invalid_guidance_rescale', /guidance_rescale 2/],
    ['a prompt that is not text', { prompt: 42 }, 'invalid_prompt', /prompt must be a string, found number/],
    ['clip skip 0', { clipSkip: 0 }, 'invalid_clip_skip', /clip_skip 0 is out of range; use an integer from 1 to 12/],
    [
      'clip skip on an export without per-layer outputs',
      { clipSkip: 2 },
      'clip_skip_unsupported',
      /clip skip 2 is not supported by sd15-int32 \(text_encoder\).*no per-layer outputs/,
    ],
    ['a prompt weight that is not a number', { prompt: '(a:1.2.3)' }, 'invalid_prompt_weight', /"1\.2\.3"/],
  ];

  it.each(cases)(
    'rejects %s with a ValidationError naming the value and the range',
    async (_, change, code, message) => {
      const error = await caught(
        generate(model, { prompt: 'a cat', steps: 1, width: 64, height: 64, ...change } as never),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    },
  );
});

describe('generate with a UNet fixed to one 77-token window', () => {
  it('refuses a prompt that needs two windows, naming the limit, and takes one that fits', async () => {
    const model = await loadModel(fixtureModel('sd15-int32'));
    try {
      const unet = { ...model.unet, contract: { ...model.unet.contract, sequenceLength: 77 } };
      const fixed: StableDiffusionModel = { ...model, unet };
      const request = { prompt: 'a cat', steps: 1, width: 64, height: 64 };
      const error = await caught(generate(fixed, { ...request, negativePrompt: 'red BREAK blue' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe('prompt_too_long');
      expect(error.message).toMatch(/negative_prompt needs 2 windows of 77 tokens.*fixed 77-token.*at most 75 tokens/);
      await expect(generate(fixed, request)).resolves.toMatchObject({ images: [expect.anything()] });
    } finally {
      await model.release();
    }
  });
});

describe('loadModel with bad options', () => {
  it('rejects a negative thread count before opening anything', async () => {
    const error = await caught(loadModel(fixtureModel('sd15-int32'), { intraOpThreads: -2 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      "intra_op_threads -2 is out of range; use an integer from 0 (ONNX Runtime's choice) to 1024",
    );
  });
});

describe('loadModel with an unknown execution provider', () => {
  it('names the provider and the ones this build has', async () => {
    const error = await caught(loadModel(fixtureModel('sd15-int32'), { executionProviders: ['bogus', 'cpu'] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe('invalid_execution_provider');
    expect(error.message).toMatch(/^execution provider bogus is not available; use cpu, .*cuda/);
  });
});

describe('generate past the machine’s memory', () => {
  it('reports out_of_memory with the size asked for, not an ONNX Runtime stack', async () => {
    // tiny-shapes attends over every latent pixel at its first level: at 2048² that is a 65536² matrix per head,
    // 128 GiB, beyond any machine this suite runs on.
    const model = await loadModel(join(import.meta.dirname, '../../models/tiny-shapes'));
    try {
      const error = await caught(generate(model, { prompt: 'a red circle', width: 2048, height: 2048, steps: 1 }));
      expect(error).toBeInstanceOf(ModelError);
      expect(error.code).toBe('out_of_memory');
      expect(error.message).toMatch(
        /unet\/model\.onnx needed a 128\.0 GiB buffer for inputs sample \[2, 4, 256, 256\]/,
      );
      expect(error.message).toContain('use a smaller size or fewer images');
    } finally {
      await model.release();
    }
  });
});
