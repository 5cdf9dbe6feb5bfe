import { StippleError } from '@stipple/core';
import { apiErrorFromEnvelope } from '@stipple/jobs';
import { routerUrl } from '../router-url.ts';

/**
 * Where the router is and the bearer token to call it with: an API key (`--key` or `STIPPLE_API_KEY`), or the admin
 * secret for `/v1/admin` (admin-client.ts). The token is never printed.
 */
export interface ApiTarget {
  url: string;
  key: string;
}

/** A job as `GET /v1/jobs/:id` shows it (docs/router.md, "Jobs"); only the fields the CLI reads. */
export interface JobView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'aborted' | 'timed_out';
  model: string;
  /** What was asked, the model's defaults filled in. */
  input: { prompt: string; steps: number; n: number };
  created_at: string;
  completed_at: string | null;
  progress: { step: number; total_steps: number; eta_ms: number } | null;
  /** Every image in request order; one the content policy blocked has `url: null` (never stored). */
  outputs: {
    url: string | null;
    expires_at: string | null;
    seed: number;
    content_type: string | null;
    bytes: number | null;
    content_filter?: { flagged: boolean; blocked: boolean };
  }[];
  /** The engine's records once the job has succeeded (prompt, seeds, scheduler, …). */
  records: { warnings?: string[] }[];
  usage: { images: number; megapixel_steps: number; credits: number };
  error: { code: string; message: string } | null;
}

export const TERMINAL_STATUSES: readonly JobView['status'][] = [
  'succeeded',
  'failed',
  'canceled',
  'aborted',
  'timed_out',
];

/** `--key`, else `STIPPLE_API_KEY`, else the local stack's development key when the target is the local stack. */
export function apiTarget(flags: { url?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const { url, localStack, localStackNote } = routerUrl(flags.url, env);
  const key = flags.key ?? env.STIPPLE_API_KEY ?? localStack?.devKey?.key ?? '';
  if (key === '') {
    throw new StippleError(
      'missing_api_key',
      `no API key for ${url}: set STIPPLE_API_KEY or pass --key (a sk_live_… or sk_test_… key); ${localStackNote}`,
    );
  }
  return { url, key };
}

export interface ApiRequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Sends one request with the key; a network failure becomes `router_unreachable`, naming the URL (never the key). */
export async function apiFetch(
  target: ApiTarget,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: ApiRequestOptions = {},
): Promise<Response> {
  try {
    return await fetch(`${target.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.key}`,
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw unreachable(target.url, error);
  }
}

/** A request that never reached the router: retryable, as nothing was done there. */
export function unreachable(url: string, error: unknown): StippleError {
  const cause = (error as Error).cause ?? (error as Error).message;
  return new StippleError(
    'router_unreachable',
    `cannot reach the router at ${url} (${cause}); start it or pass --url`,
    {},
    { retryable: true },
  );
}

/**
 * Reads a JSON answer; an error envelope `{ error: { message, code } }` becomes an `ApiError`, retryable when the
 * router failed on its side (5xx) or is still answering an earlier try with the same `Idempotency-Key` (409
 * `idempotency_request_in_progress`).
 */
export async function readJson<T>(response: Response): Promise<T> {
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const code = (json.error as { code?: unknown } | undefined)?.code;
    const retryable = response.status >= 500 || code === 'idempotency_request_in_progress';
    throw apiErrorFromEnvelope(response.status, json, { retryable });
  }
  return json as T;
}

export async function apiRequest<T>(
  target: ApiTarget,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options?: ApiRequestOptions,
): Promise<T> {
  return readJson<T>(await apiFetch(target, method, path, options));
}
