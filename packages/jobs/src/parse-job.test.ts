import { describe, expect, it } from 'vitest';
import { parseJob } from './parse-job.ts';

const validJob = {
  jobId: 'job_01',
  tenantId: 'tenant-a',
  modelId: 'sd-turbo',
  parameters: { prompt: 'a lighthouse at dusk', width: 512, height: 512, steps: 4, scheduler: 'euler', seed: 42 },
  output: { bucket: 'stipple-results', keyPrefix: 'images' },
  progress: { url: 'https://example.com/progress', token: '0123456789abcdef' },
  deadline: '2030-01-01T00:00:00Z',
};

/** A job to break one field of; loosely typed so a test can write any value. */
interface Draft {
  parameters: Record<string, unknown>;
  output: Record<string, unknown>;
  progress: Record<string, unknown>;
  [field: string]: unknown;
}

function errorsFor(change: (job: Draft) => void) {
  const job: Draft = structuredClone(validJob);
  change(job);
  const result = parseJob(job);
  if (result.ok) throw new Error('expected the job to be rejected');
  return result.errors;
}

describe('parseJob', () => {
  it('accepts a valid job and applies the output format default', () => {
    const result = parseJob(validJob);
    expect(result).toEqual({ ok: true, job: { ...validJob, output: { ...validJob.output, format: 'png' } } });
  });

  it('accepts a minimal job with http progress to localhost', () => {
    const result = parseJob({
      ...validJob,
      parameters: { prompt: 'x' },
      progress: { url: 'http://127.0.0.1:8787/cb', token: 'x'.repeat(16) },
      deadline: undefined,
    });
    expect(result.ok).toBe(true);
  });

  it.each([
    [
      'parameters.width',
      (job) => (job.parameters.width = 100),
      'width 100 is not a multiple of 8; use 8–2048 in steps of 8',
    ],
    [
      'parameters.height',
      (job) => (job.parameters.height = 4096),
      'height 4096 is out of range; use 8–2048 in steps of 8',
    ],
    ['parameters.steps', (job) => (job.parameters.steps = 2.5), 'steps 2.5 is not an integer; use an integer 1–1000'],
    ['parameters.guidance', (job) => (job.parameters.guidance = 51), 'guidance 51 is out of range; use 0–50'],
    [
      'parameters.guidanceRescale',
      (job) => (job.parameters.guidanceRescale = -0.1),
      'guidanceRescale -0.1 is out of range; use 0–1',
    ],
    [
      'parameters.seed',
      (job) => (job.parameters.seed = 4294967296),
      'seed 4294967296 is out of range; use an integer 0–4294967295',
    ],
    ['parameters.n', (job) => (job.parameters.n = 0), 'n 0 is out of range; use an integer 1–16'],
    [
      'parameters.clipSkip',
      (job) => (job.parameters.clipSkip = 13),
      'clipSkip 13 is out of range; use an integer 1–12',
    ],
    ['parameters.prompt', (job) => (job.parameters.prompt = ''), 'prompt is 0 characters; use 1–2000 characters'],
    [
      'parameters.negativePrompt',
      (job) => (job.parameters.negativePrompt = 'x'.repeat(2001)),
      'negativePrompt is 2001 characters; use 0–2000 characters',
    ],
    [
      'parameters.scheduler',
      (job) => (job.parameters.scheduler = 'pndm'),
      'scheduler "pndm" is not supported; use one of euler, euler-ancestral, ddim, dpmpp-2m, dpmpp-2m-karras, lcm',
    ],
    ['parameters.width', (job) => (job.parameters.width = '512'), 'parameters.width "512" is not a number'],
    ['parameters.prompt', (job) => delete job.parameters.prompt, 'parameters.prompt is required'],
    [
      'jobId',
      (job) => (job.jobId = 'a/b'),
      'jobId "a/b" is invalid; use 1–128 characters of A–Z, a–z, 0–9, "_" and "-"',
    ],
    [
      'tenantId',
      (job) => (job.tenantId = ''),
      'tenantId "" is invalid; use 1–128 characters of A–Z, a–z, 0–9, "_" and "-"',
    ],
    [
      'modelId',
      (job) => (job.modelId = 'SD-Turbo'),
      'modelId "SD-Turbo" is invalid; use 1–128 characters of a–z, 0–9, ".", "_" and "-"',
    ],
    ['output.bucket', (job) => (job.output.bucket = 'My_Bucket'), 'bucket "My_Bucket" is not a valid S3 bucket name'],
    ['output.keyPrefix', (job) => (job.output.keyPrefix = '/images'), 'keyPrefix "/images" starts with a slash'],
    ['output.keyPrefix', (job) => (job.output.keyPrefix = 'a/../b'), 'keyPrefix "a/../b" contains a ".." segment'],
    ['output.keyPrefix', (job) => (job.output.keyPrefix = 'a'.repeat(513)), 'is 513 characters; use at most 512'],
    [
      'output.format',
      (job) => (job.output.format = 'gif'),
      'format "gif" is not supported; use one of png, jpeg, webp',
    ],
    [
      'progress.url',
      (job) => (job.progress.url = 'http://example.com/cb'),
      'progress.url "http://example.com/cb" is not allowed',
    ],
    ['progress.token', (job) => (job.progress.token = 'short'), 'progress.token is 5 characters; use at least 16'],
    ['deadline', (job) => (job.deadline = 'tomorrow'), 'deadline "tomorrow" is not an ISO 8601 date-time'],
    ['previewEvery', (job) => (job.previewEvery = 0), 'previewEvery 0 is out of range; use an integer 1–1000'],
    ['previewEvery', (job) => (job.previewEvery = 2.5), 'previewEvery 2.5 is not an integer'],
  ] as [string, (job: Draft) => void, string][])(
    'reports %s with the value and the allowed range',
    (path, change, message) => {
      const errors = errorsFor(change);
      expect(errors).toHaveLength(1);
      expect(errors[0].path).toBe(path);
      expect(errors[0].message).toContain(message);
    },
  );

  it('accepts input images by key and digest, with strength, mask blur and preserveUnmasked', () => {
    const input = (key: string) => ({ key, sha256: 'ab'.repeat(32) });
    const parameters = {
      prompt: 'x',
      image: input('inputs/t/a.png'),
      mask: input('inputs/t/m.png'),
      strength: 0.75,
      maskBlur: 4,
      preserveUnmasked: true,
    };
    const result = parseJob({ ...validJob, parameters });
    expect(result.ok && result.job.parameters).toEqual(parameters);
  });

  it.each([
    ['parameters.mask', { mask: { key: 'm.png', sha256: 'ab'.repeat(32) } }, 'mask needs image'],
    ['parameters.strength', { strength: 0.5 }, 'strength needs image'],
    ['parameters.maskBlur', { maskBlur: 3 }, 'maskBlur needs mask'],
    ['parameters.preserveUnmasked', { preserveUnmasked: false }, 'preserveUnmasked needs mask'],
    ['parameters.image.sha256', { image: { key: 'a.png', sha256: 'nope' } }, 'sha256 "nope" is not a SHA-256 digest'],
    [
      'parameters.strength',
      { image: { key: 'a.png', sha256: 'ab'.repeat(32) }, strength: 1.5 },
      'strength 1.5 is out of range; use 0–1',
    ],
  ])('rejects %s (%j) naming what it needs', (path, extra, message) => {
    const errors = errorsFor((job) => Object.assign(job.parameters, extra));
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe(path);
    expect(errors[0].message).toContain(message);
  });

  it('takes the image-safety mode, naming the modes when it is not one', () => {
    expect(parseJob({ ...validJob, safety: { images: 'block' } })).toMatchObject({ ok: true });
    const errors = errorsFor((job) => (job.safety = { images: 'strict' }));
    expect(errors).toEqual([
      { path: 'safety.images', message: 'safety.images "strict" is not a mode; use one of off, flag, block' },
    ]);
  });

  it('rejects unknown fields at their own paths', () => {
    const errors = errorsFor((job) => {
      job.priority = 1;
      job.parameters.cfg = 7;
    });
    expect(errors).toEqual([
      { path: 'parameters.cfg', message: 'parameters.cfg is not a known field' },
      { path: 'priority', message: 'priority is not a known field' },
    ]);
  });

  it('rejects a body that is not an object', () => {
    const result = parseJob('{"jobId":"x"}');
    expect(result).toEqual({
      ok: false,
      errors: [{ path: '', message: 'job "{\\"jobId\\":\\"x\\"}" is not an object' }],
    });
  });
});
