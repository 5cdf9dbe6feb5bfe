import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { freePort } from '@stipple/test-support/worker-process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngTextChunks } from '../../packages/core/src/index.ts';
import { startDroppingProxy } from './dropping-proxy.ts';
import { type RemoteStack, startRemoteStack } from './remote-stack.ts';
import { STIPPLE_BIN, stipple, waitFor } from './run-stipple.ts';

const PROMPT = 'a red circle on a blue background';

describe('stipple-cli remote against a real router, gpu-worker and S3', () => {
  let stack: RemoteStack;
  let s3: S3Client;
  let key: string;
  let env: Record<string, string>;
  let outDir: string;
  /** The job `remote generate` made, and the files it wrote. */
  let generated: { jobId: string; paths: string[] };

  beforeAll(async () => {
    stack = await startRemoteStack();
    s3 = stack.s3Client();
    key = await stack.createKey('cli-remote', 50);
    env = { STIPPLE_URL: stack.url, STIPPLE_API_KEY: key };
    outDir = await mkdtemp(join(tmpdir(), 'stipple-remote-'));
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });

  it('generates through the API with a progress bar, writing the PNGs the worker stored', async () => {
    const out = join(outDir, 'remote.png');
    const result = await stipple(
      env,
      'remote',
      'generate',
      '--prompt',
      PROMPT,
      '--seed',
      '7',
      '--n',
      '2',
      '--out',
      out,
    );
    expect(result.stderr).toContain('step 20/20');
    expect([result.code, result.stdout]).toEqual([
      0,
      `${join(outDir, 'remote-1.png')}\n${join(outDir, 'remote-2.png')}\n`,
    ]);
    const jobId = /^job (job_[0-9a-f]{32}) queued$/m.exec(result.stderr)?.[1];
    expect(jobId).toBeDefined();
    expect(result.stderr).toContain(`job ${jobId} succeeded: seeds 7, 8; 2 credits charged\n`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(key);

    const paths = result.stdout.trim().split('\n');
    for (const [i, path] of paths.entries()) {
      const written = await readFile(path);
      const stored = await s3.send(
        new GetObjectCommand({ Bucket: 'results', Key: `outputs/cli-remote/${jobId}/${i}.png` }),
      );
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(written)).toBe(true);
      const { width, height, format } = await sharp(written).metadata();
      expect({ width, height, format }).toEqual({ width: 64, height: 64, format: 'png' });
      const chunks = readPngTextChunks(written);
      expect(JSON.parse(chunks.stipple)).toMatchObject({ prompt: PROMPT });
      expect(chunks.parameters).toMatch(new RegExp(`\\bSeed: ${7 + i}\\b`));
    }
    generated = { jobId: jobId!, paths };
    const usage = await (await api('/v1/usage')).json();
    expect(usage).toMatchObject({ credits_spent: 2, credits_remaining: 48 });
  });

  it('retries a submission whose answer was lost with the same Idempotency-Key: one job, charged once', async () => {
    const retryKey = await stack.createKey('cli-retry', 5);
    const proxy = await startDroppingProxy(stack.url);
    try {
      const out = join(outDir, 'retried.png');
      const result = await stipple(
        { STIPPLE_URL: proxy.url, STIPPLE_API_KEY: retryKey },
        ...['remote', 'generate', '--prompt', 'a blue triangle', '--steps', '2', '--out', out],
      );
      expect([result.code, result.stdout]).toEqual([0, `${out}\n`]);
      expect(proxy.submissions).toHaveLength(2);
      expect(proxy.submissions[0]).toMatch(/^[\x21-\x7e]{1,255}$/);
      expect(proxy.submissions[1]).toBe(proxy.submissions[0]);
    } finally {
      await proxy.stop();
    }
    const headers = { authorization: `Bearer ${retryKey}` };
    const jobs = (await (await fetch(`${stack.url}/v1/jobs`, { headers })).json()) as { data: unknown[] };
    expect(jobs.data).toHaveLength(1);
    expect(await (await fetch(`${stack.url}/v1/usage`, { headers })).json()).toMatchObject({
      credits_spent: 1,
      credits_remaining: 4,
    });
  });

  it('lists the key\u2019s jobs page by page, as text and JSON, and fetches one again by id', async () => {
    const second = await api('/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=60' },
      body: JSON.stringify({ prompt: 'a green square', steps: 2 }),
    });
    const secondId = ((await second.json()) as { id: string }).id;

    const firstPage = await stipple(env, 'remote', 'jobs', '--limit', '1');
    expect(firstPage.code).toBe(0);
    expect(firstPage.stdout).toMatch(new RegExp(`^${secondId}  succeeded  \\S+Z  1 image  a green square\\n$`));
    const cursor = /^next page: --cursor (\S+)$/m.exec(firstPage.stderr)?.[1];
    const secondPage = await stipple(env, 'remote', 'jobs', '--limit', '1', '--cursor', cursor!);
    expect(secondPage.stdout).toMatch(new RegExp(`^${generated.jobId}  succeeded  \\S+Z  2 images  ${PROMPT}\\n$`));
    expect(secondPage.stderr).not.toContain('next page');

    const json = JSON.parse((await stipple(env, 'remote', 'jobs', '--json')).stdout);
    expect(json.data.map((job: { id: string }) => job.id)).toEqual([secondId, generated.jobId]);
    expect(json).toMatchObject({ has_more: false, next_cursor: null });

    const shown = await stipple(env, 'remote', 'jobs', '--id', generated.jobId);
    expect(shown.stdout).toContain(`status    succeeded\n`);
    expect(shown.stdout).toContain(`seeds     7, 8\n`);
    expect(shown.stdout).toMatch(
      /^output 2 {2}http:\/\/127\.0\.0\.1:\d+\/results\/outputs\/cli-remote\/job_\w+\/1\.png\?/m,
    );

    const fetched = await stipple(env, 'remote', 'jobs', '--id', generated.jobId, '--out', `${outDir}/again/`);
    const againPaths = [1, 2].map((i) => join(outDir, 'again', `${generated.jobId}-${i}.png`));
    expect([fetched.code, fetched.stdout]).toEqual([0, `${againPaths.join('\n')}\n`]);
    for (const [i, path] of againPaths.entries()) {
      expect((await readFile(path)).equals(await readFile(generated.paths[i]))).toBe(true);
    }
  });

  it('uploads --image and --mask through /v1/uploads and inpaints them: the job names both by digest', async () => {
    const image = await readFile(generated.paths[0]);
    // White = repaint: a square in the middle; the outer 8 pixels stay black, far beyond a 2-pixel blur.
    const square = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const mask = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .composite([{ input: square, top: 16, left: 16 }])
      .png()
      .toBuffer();
    const maskPath = join(outDir, 'mask.png');
    await writeFile(maskPath, mask);
    const out = join(outDir, 'edited.png');
    const result = await stipple(
      env,
      ...['remote', 'generate', '--prompt', 'a green triangle on a blue background', '--seed', '3'],
      ...['--image', generated.paths[0], '--mask', maskPath, '--strength', '0.5', '--steps', '10'],
      ...['--mask-blur', '2', '--keep-unmasked', 'true', '--out', out],
    );
    expect([result.code, result.stdout]).toEqual([0, `${out}\n`]);
    const jobId = /^job (job_\w+) queued$/m.exec(result.stderr)![1];
    const job = (await (await api(`/v1/jobs/${jobId}`)).json()) as {
      input: Record<string, unknown> & { image: { upload_id: string }; mask: { upload_id: string } };
      records: unknown[];
    };
    const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    expect(job.input).toMatchObject({
      image: { upload_id: expect.stringMatching(/^upl_/), sha256: sha256(image) },
      mask: { upload_id: expect.stringMatching(/^upl_/), sha256: sha256(mask) },
      strength: 0.5,
      mask_blur: 2,
      preserve_unmasked: true,
    });
    expect(job.records[0]).toMatchObject({
      edit: { image_sha256: sha256(image), mask_sha256: sha256(mask), strength: 0.5 },
    });
    // Each file went straight to the bucket, under the tenant's inputs prefix, byte for byte.
    for (const [upload, bytes] of [
      [job.input.image.upload_id, image],
      [job.input.mask.upload_id, mask],
    ] as const) {
      const stored = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: `inputs/cli-remote/${upload}` }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    }
    // --keep-unmasked true: the pixels outside the mask are the image's own.
    const pixels = async (path: string) =>
      (await sharp(path).extract({ left: 0, top: 0, width: 64, height: 8 }).raw().toBuffer()).toString('hex');
    expect(await pixels(out)).toBe(await pixels(generated.paths[0]));
  });

  it("says what is wrong: the router's message and code, a bad flag before any request, an unreachable router", async () => {
    const badKey = `sk_live_${'x'.repeat(43)}`;
    const refused = await stipple({ ...env, STIPPLE_API_KEY: badKey }, 'remote', 'jobs');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^stipple-cli remote: .+ \[invalid_api_key\]\nRun "stipple-cli remote jobs --help" for usage\.\n$/,
    );
    expect(refused.stderr).not.toContain(badKey);
    const refusedUpload = await stipple(
      { ...env, STIPPLE_API_KEY: badKey },
      ...['remote', 'generate', '--prompt', 'x', '--image', generated.paths[0], '--out', 'x.png'],
    );
    expect([refusedUpload.code, refusedUpload.stderr]).toEqual([
      2,
      expect.stringMatching(
        new RegExp(`^stipple-cli remote: --image ${generated.paths[0]}: .+ \\[invalid_api_key\\]\\n`),
      ),
    ]);

    const tooMany = await stipple(
      env,
      'remote',
      'generate',
      '--prompt',
      'x',
      '--n',
      '9',
      '--out',
      join(outDir, 'n.png'),
    );
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(
      /^stipple-cli remote: .*\bn\b.*\[invalid_request\]\nRun "stipple-cli remote generate --help"/,
    );

    const before = (await (await api('/v1/jobs')).json()) as { data: unknown[] };
    const badSteps = await stipple(env, 'remote', 'generate', '--prompt', 'x', '--steps', 'many', '--out', 'x.png');
    expect([badSteps.code, badSteps.stderr]).toEqual([
      2,
      'stipple-cli remote: --steps "many" is not a number [invalid_steps]\nRun "stipple-cli remote generate --help" for usage.\n',
    ]);
    const badFormat = await stipple(env, 'remote', 'generate', '--prompt', 'x', '--format', 'gif', '--out', 'x.png');
    expect(badFormat.stderr).toContain('--format "gif" is not supported; use png, jpeg or webp');
    const notAnImage = await stipple(
      env,
      ...['remote', 'generate', '--prompt', 'x', '--image', STIPPLE_BIN, '--out', 'x.png'],
    );
    expect([notAnImage.code, notAnImage.stderr]).toEqual([
      2,
      `stipple-cli remote: --image ${STIPPLE_BIN} is not a PNG, JPEG or WebP file [invalid_image]\nRun "stipple-cli remote generate --help" for usage.\n`,
    ]);
    const missing = await stipple(
      env,
      'remote',
      'generate',
      '--prompt',
      'x',
      '--image',
      'nowhere.png',
      '--out',
      'x.png',
    );
    expect(missing.stderr).toContain('--image nowhere.png cannot be read: ENOENT [input_file_unreadable]');
    const unknownFlag = await stipple(env, 'remote', 'jobs', '--limt', '3');
    expect([unknownFlag.code, unknownFlag.stderr]).toEqual([2, expect.stringContaining("Unknown option '--limt'")]);
    const noKey = await stipple({ ...env, STIPPLE_API_KEY: '' }, 'remote', 'jobs');
    expect(noKey.stderr).toContain('set STIPPLE_API_KEY or pass --key');
    const after = (await (await api('/v1/jobs')).json()) as { data: unknown[] };
    expect(after.data.length).toBe(before.data.length);

    const away = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await stipple({ ...env, STIPPLE_URL: away }, 'remote', 'jobs');
    expect([unreachable.code, unreachable.stderr]).toEqual([
      2,
      expect.stringContaining(`cannot reach the router at ${away}`),
    ]);

    const help = await stipple(env, 'remote', '--help');
    const flags = [
      '--url',
      '--key',
      '--model',
      '--prompt',
      '--negative',
      '--width',
      '--height',
      '--steps',
      '--guidance',
    ];
    flags.push('--scheduler', '--seed', '--n', '--format', '--out', '--limit', '--cursor', '--json', '--id');
    flags.push('--image', '--mask', '--strength', '--mask-blur', '--keep-unmasked');
    for (const flag of flags) expect(help.stdout).toMatch(new RegExp(`(^|\\s)${flag}\\s`, 'm'));
  });

  it('cancels the job on the router when interrupted with Ctrl-C, and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [
        STIPPLE_BIN,
        'remote',
        'generate',
        '--prompt',
        'a long one',
        ...['--width', '256', '--height', '256'],
        ...['--steps', '150', '--out', join(outDir, 'never.png')],
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await waitFor(() => /step [1-9]\d*\/150/.test(stderr));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const jobId = /^job (job_\w+) queued$/m.exec(stderr)![1];
    expect(stderr).toMatch(new RegExp(`^job ${jobId} (canceled|cancel requested)`, 'm'));
    const ended = await waitFor(async () => {
      const job = (await (await api(`/v1/jobs/${jobId}`)).json()) as { status: string; usage: { credits: number } };
      return ['queued', 'running'].includes(job.status) ? undefined : job;
    });
    expect(ended).toMatchObject({ status: 'canceled', usage: { credits: 0 } });
  });
});
