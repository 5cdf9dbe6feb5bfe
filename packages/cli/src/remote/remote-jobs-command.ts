import { parseArgs } from 'node:util';
import { StippleError } from '@stipple/core';
import { parseNumber } from '../parse-number.ts';
import { apiRequest, apiTarget, type JobView } from './api-client.ts';
import { downloadOutputs, outputPathsFor } from './download-outputs.ts';

export const REMOTE_JOBS_USAGE = `stipple-cli remote jobs [--limit N] [--cursor C] [--json] [--url URL] [--key KEY]
  Lists this key's jobs, newest first: id, status, created, images, prompt.
  --limit N           jobs per page, 1-100 (default 20)
  --cursor C          the page after the one that printed "next page: --cursor C" (on stderr)
  --json              the router's answer as JSON ({ data, has_more, next_cursor }) on stdout
stipple-cli remote jobs --id JOB [--out FILE_OR_DIR] [--json] [--url URL] [--key KEY]
  Shows one job; with --out downloads its images (fresh URLs on every call) and prints their paths on stdout.`;

/** How much of a prompt a listing shows. */
const PROMPT_EXCERPT_CHARACTERS = 40;

export async function remoteJobsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      id: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.id !== undefined && (values.limit !== undefined || values.cursor !== undefined)) {
    throw new StippleError('invalid_flags', '--limit and --cursor page a listing; --id shows one job');
  }
  if (values.id === undefined && values.out !== undefined) {
    throw new StippleError('invalid_flags', '--out downloads one job\u2019s images; name it with --id JOB');
  }
  const limit = parseNumber('limit', values.limit);
  const target = apiTarget(values);
  if (values.id !== undefined) return showJob(target, values.id, values.out, values.json === true);

  const query = new URLSearchParams();
  if (limit !== undefined) query.set('limit', String(limit));
  if (values.cursor !== undefined) query.set('after', values.cursor);
  const page = await apiRequest<{ data: JobView[]; has_more: boolean; next_cursor: string | null }>(
    target,
    'GET',
    `/v1/jobs${query.size > 0 ? `?${query}` : ''}`,
  );
  if (values.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  for (const job of page.data) {
    // The images it made: usage.images is what it asked for, which a canceled or failed job never made.
    const made = job.outputs.length;
    const images = `${made} image${made === 1 ? '' : 's'}`;
    process.stdout.write(`${job.id}  ${job.status.padEnd(9)}  ${job.created_at}  ${images}  ${promptExcerpt(job)}\n`);
  }
  if (page.data.length === 0) process.stderr.write('no jobs\n');
  if (page.next_cursor) process.stderr.write(`next page: --cursor ${page.next_cursor}\n`);
  return 0;
}

async function showJob(
  target: ReturnType<typeof apiTarget>,
  id: string,
  out: string | undefined,
  json: boolean,
): Promise<number> {
  const job = await apiRequest<JobView>(target, 'GET', `/v1/jobs/${encodeURIComponent(id)}`);
  // stdout carries one thing: the JSON, the downloaded paths, or else the description.
  const describe = json || out !== undefined ? process.stderr : process.stdout;
  if (json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  else describe.write(describeJob(job, out === undefined));
  if (out === undefined) return 0;
  if (job.status !== 'succeeded') {
    throw new StippleError('job_not_succeeded', `job ${job.id} is ${job.status}; it has no images to download`);
  }
  const paths = await outputPathsFor(job, out);
  await downloadOutputs(job, paths);
  for (const path of paths) (json ? process.stderr : process.stdout).write(`${path}\n`);
  return 0;
}

function describeJob(job: JobView, withUrls: boolean): string {
  const lines: [string, string | number | null | undefined][] = [
    ['id', job.id],
    ['status', job.status],
    ['model', job.model],
    ['created', job.created_at],
    ['completed', job.completed_at],
    ['progress', job.progress && `step ${job.progress.step}/${job.progress.total_steps}`],
    ['prompt', job.input.prompt],
    ['seeds', job.outputs.map((output) => output.seed).join(', ')],
    ['images', job.usage.images],
    ['credits', job.usage.credits],
    ['error', job.error && `${job.error.message} [${job.error.code}]`],
    ...(withUrls
      ? job.outputs.map((output, i): [string, string] => [
          `output ${i + 1}`,
          `${output.url} (expires ${output.expires_at})`,
        ])
      : []),
  ];
  return lines
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([name, value]) => `${name.padEnd(10)}${value}\n`)
    .join('');
}

function promptExcerpt(job: JobView): string {
  const flat = job.input.prompt.replaceAll(/\s+/g, ' ');
  return flat.length > PROMPT_EXCERPT_CHARACTERS ? `${flat.slice(0, PROMPT_EXCERPT_CHARACTERS - 1)}…` : flat;
}
