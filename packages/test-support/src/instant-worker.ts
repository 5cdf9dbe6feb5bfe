/**
 * A gpu-worker that generates nothing and answers at once, speaking the worker's real protocol (docs/gpu-worker.md,
 * functions/gpu-worker/src/worker-app.ts), so a load test measures the edge alone: every request signed with the
 * worker secret is verified (`verifyRequest`), a job is parsed as the worker parses it (`parseJob`) and accepted with
 * `202 { jobId, state: 'queued' }` (the answer of a worker whose slots are taken, so the job's progress callback hears
 * both events), then its images (a tiny PNG each) and its result manifest (`resultManifestSchema`) are written to the
 * store where the router expects them (`resultKey`, `manifestKey`), and the job events `started` and `succeeded` go
 * to the job's callback through the worker's own reporter (progress-callback.ts: signed, the outcome retried).
 * `GET /v1/jobs/:id` answers from what it has done; `DELETE` finds nothing to cancel.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  contentTypeFor,
  type Job,
  manifestKey,
  parseJob,
  type ResultManifest,
  resultKey,
  resultManifestSchema,
  verifyRequest,
} from '@stipple/jobs';
import { holdIdleConnections } from '../../../functions/gpu-worker/src/idle-connections.ts';
import { createProgressReporter } from '../../../functions/gpu-worker/src/progress-callback.ts';

/** A 1×1 PNG (RGBA, one transparent pixel): what every job "generates". */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export interface InstantWorkerOptions {
  /** The `WORKER_SECRET` the router signs with. */
  secret: string;
  /** The store the router reads results from (the local stack's s3rver). */
  s3: S3Client;
  /** Models it serves (`GET /v1/models`); default `tiny-shapes`. */
  models?: string[];
}

export interface InstantWorker {
  url: string;
  /**
   * What it did: jobs accepted, jobs whose outcome the receiver took, jobs it gave up reporting, event deliveries
   * refused or failed (each attempt), requests refused.
   */
  readonly counts: {
    accepted: number;
    ended: number;
    gaveUp: number;
    callbackFailures: number;
    refused: number;
  };
  stop(): Promise<void>;
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });

export async function startInstantWorker(options: InstantWorkerOptions): Promise<InstantWorker> {
  const models = options.models ?? ['tiny-shapes'];
  const counts = { accepted: 0, ended: 0, gaveUp: 0, callbackFailures: 0, refused: 0 };
  const ended = new Set<string>();
  const gaveUp = new Set<string>();

  /** The worker's own reporter (progress-callback.ts), its failures counted from its log entries. */
  const reporterFor = (job: Job) =>
    createProgressReporter(job, (entry) => {
      if (entry.event === 'callback_failed' || entry.event === 'callback_rejected') counts.callbackFailures++;
      if (entry.event === 'callback_gave_up') gaveUp.add(job.jobId);
    });

  /** The images, then the manifest (last: its presence means the job is complete), then the events. */
  async function run(job: Job): Promise<void> {
    const at = { jobId: job.jobId, tenantId: job.tenantId };
    const reporter = reporterFor(job);
    reporter.started();
    const { bucket, format } = job.output;
    const seed = job.parameters.seed ?? 0;
    const outputs: ResultManifest['outputs'] = [];
    for (let index = 0; index < (job.parameters.n ?? 1); index++) {
      const key = resultKey(job, index);
      const contentType = contentTypeFor(format);
      await options.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: TINY_PNG, ContentType: contentType }),
      );
      outputs.push({ key, contentType, seed: seed + index, bytes: TINY_PNG.length });
    }
    const manifest = resultManifestSchema.parse({
      ...at,
      modelId: job.modelId,
      status: 'succeeded',
      outputs,
      records: [],
      timings: { queuedMs: 0, totalMs: 0 },
      createdAt: new Date().toISOString(),
    });
    const key = manifestKey(job);
    const body = JSON.stringify(manifest);
    await options.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
    ended.add(job.jobId);
    await reporter.finish({ status: 'succeeded', manifestKey: key, manifest });
    if (gaveUp.has(job.jobId)) counts.gaveUp++;
    else counts.ended++;
  }

  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (method === 'GET' && path === '/ping') return answer(response, 200, { status: 'ok' });
    if (method === 'GET' && path === '/v1/models') {
      return answer(response, 200, { models: models.map((id) => ({ id, state: 'ready' })) });
    }
    const headers = new Headers(request.headers as Record<string, string>);
    const verdict = await verifyRequest({ secret: options.secret, method, path: request.url ?? '/', body, headers });
    if (!verdict.ok) {
      counts.refused++;
      const message = `request signature is ${verdict.reason}; sign it with the worker secret`;
      return answer(response, 401, errorBody('unauthorized', message));
    }
    if (method === 'POST' && path === '/invocations') {
      const parsed = parseJob(JSON.parse(body));
      if (!parsed.ok)
        return answer(response, 400, { ...errorBody('invalid_job', 'the job is not valid'), fields: parsed.errors });
      const { job } = parsed;
      if (!models.includes(job.modelId)) {
        return answer(response, 404, errorBody('model_not_found', `model ${job.modelId} is not served here`));
      }
      counts.accepted++;
      answer(response, 202, { jobId: job.jobId, state: 'queued' });
      void run(job).catch(() => counts.gaveUp++);
      return;
    }
    const jobPath = /^\/v1\/jobs\/([^/]+)$/.exec(path);
    if (jobPath) {
      const jobId = decodeURIComponent(jobPath[1]);
      if (method === 'GET' && ended.has(jobId)) return answer(response, 200, { jobId, state: 'succeeded' });
      return answer(response, 404, errorBody('job_not_running', `job ${jobId} is not running or queued here`));
    }
    answer(response, 404, errorBody('not_found', `${method} ${path}`));
  });
  holdIdleConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
