import { type ResultManifest, signRequest } from '@stipple/jobs';
import type { WorkerProcess } from '@stipple/test-support/worker-process';

/** What the worker-process suites share: the secret, the bucket, a job to vary, and signed invocations. */
export const SECRET = 'test-secret-0123456789';
export const BUCKET = 'results';

export function job(jobId: string, overrides: Record<string, unknown> = {}) {
  return {
    jobId,
    tenantId: 'acme',
    modelId: 'tiny-shapes',
    parameters: { prompt: 'a red circle on a blue background', steps: 4, seed: 11, n: 2 },
    output: { bucket: BUCKET, keyPrefix: 'jobs', format: 'png' },
    ...overrides,
  };
}

interface ErrorEnvelope {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

export async function errorOf(response: Response): Promise<ErrorEnvelope['error']> {
  return ((await response.json()) as ErrorEnvelope).error;
}

export async function manifestOf(response: Response): Promise<ResultManifest> {
  return (await response.json()) as ResultManifest;
}

export async function invoke(
  worker: WorkerProcess,
  body: unknown,
  secret = SECRET,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const text = JSON.stringify(body);
  const headers = await signRequest({
    secret,
    method: 'POST',
    path: '/invocations',
    body: text,
    timestamp: Math.floor(Date.now() / 1000),
  });
  return fetch(`${worker.url}/invocations`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', ...extraHeaders },
    body: text,
  });
}
