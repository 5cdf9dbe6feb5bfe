import { parseArgs } from 'node:util';
import { StippleError } from '@stipple/core';
import { EDIT_OPTIONS, editUsage, readEditFlags } from '../edit-flags.ts';
import { GENERATION_OPTIONS, readGenerationFlags } from '../generation-flags.ts';
import { createProgressBar } from '../progress-bar.ts';
import { type ApiTarget, apiRequest, apiTarget, type JobView, TERMINAL_STATUSES } from './api-client.ts';
import { downloadOutputs, outputPathsFor, storedOutputs } from './download-outputs.ts';
import { followJob } from './follow-job.ts';
import { INTERRUPTED_EXIT_CODE, watchInterrupt } from './interrupt-watch.ts';
import { submitJob } from './submit-job.ts';
import { checkInputFile, type InputFile, uploadInputFile } from './upload-input.ts';

export const REMOTE_GENERATE_USAGE = `stipple-cli remote generate --prompt TEXT --out FILE_OR_DIR [options]
  --url URL           the router (default: $STIPPLE_URL, else the local stack's, npm start)
  --key KEY           an API key with the generate and read scopes (default: $STIPPLE_API_KEY, else the local
                      stack's development key; never printed)
  --model ID          a model the router offers (default: its first; GET /v1/models lists them)
  --negative TEXT     what to steer away from
  --width N --height N  pixels, 64-2048 in steps of 8 (default: the model's size)
  --steps N           denoising steps, 1-150 (default: the model's)
  --guidance X        classifier-free guidance, 0-50 (default: the model's)
  --scheduler NAME    euler, euler-ancestral, ddim, dpmpp-2m, dpmpp-2m-karras, lcm (default: the model's own)
  --seed N            0-4294967295 (default: random, printed); image i uses seed + i
  --n N               images, 1-8; files are numbered name-1.png, name-2.png, ...
  --clip-skip N       text-encoder layers to skip from the end, as A1111 (SDXL exports; default 1)
  --format F          png, jpeg or webp (default: from --out's extension, else png)
${editUsage("fitted to --width × --height (default: the model's size)")}
  Uploads --image and --mask through POST /v1/uploads (straight to the router's bucket), submits the job (with an
  Idempotency-Key, so a retried submission runs and charges once), shows its progress on stderr, downloads the images
  to --out (a directory gets {job id}.png) and prints their paths on stdout; the job id, seeds and credits charged go
  to stderr. Ctrl-C cancels the job on the router (its credits come back).`;

export async function remoteGenerateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...GENERATION_OPTIONS, ...EDIT_OPTIONS, url: { type: 'string' }, key: { type: 'string' } },
  });
  // Every flag and file is checked before anything is sent: a typo costs no credits. The router checks the ranges.
  const { out, format, negativePrompt, clipSkip, ...flags } = readGenerationFlags(values);
  const { image, mask, strength, maskBlur, preserveUnmasked } = await readEditFlags(values);
  const inputs = [
    image && { flag: 'image' as const, path: values.image as string, bytes: image },
    mask && { flag: 'mask' as const, path: values.mask as string, bytes: mask },
  ].filter((input): input is InputFile => input !== undefined);
  for (const input of inputs) checkInputFile(input);
  const target = apiTarget(values);
  const request: Record<string, unknown> = {
    ...flags,
    negative_prompt: negativePrompt,
    clip_skip: clipSkip,
    output_format: format,
    strength,
    mask_blur: maskBlur,
    preserve_unmasked: preserveUnmasked,
  };
  for (const input of inputs) request[input.flag] = await uploadInputFile(target, input);

  const interrupt = watchInterrupt();
  let job: JobView;
  let jobId: string | undefined;
  try {
    const created = await submitJob(target, request);
    jobId = created.id;
    process.stderr.write(`job ${created.id} ${created.status}\n`);
    job = await followWithProgressBar(target, created.id, interrupt.signal);
  } catch (error) {
    if (!interrupt.signal.aborted) throw error;
    if (jobId === undefined) throw error;
    return cancelJob(target, jobId);
  } finally {
    interrupt.dispose();
  }
  if (interrupt.signal.aborted) return cancelJob(target, job.id);

  if (job.status !== 'succeeded') {
    throw new StippleError(
      job.error?.code ?? `job_${job.status}`,
      `job ${job.id} ${job.status}${job.error ? `: ${job.error.message}` : ''}; no credits were charged`,
    );
  }
  for (const warning of job.records[0]?.warnings ?? []) {
    process.stderr.write(`warning: ${warning}\n`);
  }
  const { stored, blockedSeeds } = storedOutputs(job);
  for (const seed of blockedSeeds) {
    process.stderr.write(
      `the image of seed ${seed} was blocked by the service's content policy (not stored, not charged)\n`,
    );
  }
  const paths = await outputPathsFor(stored, out);
  await downloadOutputs(stored, paths);
  for (const path of paths) process.stdout.write(`${path}\n`);
  const credits = job.usage.credits;
  process.stderr.write(
    `job ${job.id} succeeded: seed${stored.outputs.length > 1 ? 's' : ''} ${stored.outputs.map((output) => output.seed).join(', ') || 'none'}; ` +
      `${credits} credit${credits === 1 ? '' : 's'} charged\n`,
  );
  return 0;
}

/** Follows the job's events, drawing the CLI's progress bar (progress-bar.ts) and finishing it when the job succeeds. */
async function followWithProgressBar(target: ApiTarget, jobId: string, signal: AbortSignal): Promise<JobView> {
  const bar = createProgressBar();
  const started = performance.now();
  let last = { step: 0, totalSteps: 0 };
  const job = await followJob(
    target,
    jobId,
    (progress) => {
      last = progress;
      bar({ ...progress, elapsedMs: performance.now() - started });
    },
    signal,
  );
  // Events are sampled (a short job may end before the first one), so the last step may not have had one of its own.
  const totalSteps = job.input.steps;
  if (job.status === 'succeeded' && totalSteps > 0 && last.step < totalSteps) {
    bar({ step: totalSteps, totalSteps, elapsedMs: performance.now() - started });
  }
  return job;
}

/** Ctrl-C: `POST /v1/jobs/:id/cancel`, so the worker stops within a step and the job's credits come back. */
async function cancelJob(target: ApiTarget, jobId: string): Promise<number> {
  if (process.stderr.isTTY) process.stderr.write('\n');
  const canceled = await apiRequest<JobView>(target, 'POST', `/v1/jobs/${encodeURIComponent(jobId)}/cancel`);
  const state =
    canceled.status === 'canceled'
      ? 'canceled'
      : TERMINAL_STATUSES.includes(canceled.status)
        ? `had already ended ${canceled.status}`
        : 'cancel requested; the worker stops it within a step and its credits come back';
  process.stderr.write(`job ${canceled.id} ${state}\n`);
  return INTERRUPTED_EXIT_CODE;
}
