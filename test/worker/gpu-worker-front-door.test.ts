import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { signRequest } from '@stipple/jobs';
import { type S3Server, startS3Server } from '@stipple/test-support/s3-server';
import { startWorker, type WorkerProcess } from '@stipple/test-support/worker-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, errorOf, invoke, job, SECRET } from './worker-test-jobs.ts';

/** The cap this worker runs with (`MAX_REQUEST_BODY_BYTES`), small so a test can pass it cheaply. */
const MAX_BODY_BYTES = 8 * 1024;

const signed = (path: string, body: string) =>
  signRequest({ secret: SECRET, method: 'POST', path, body, timestamp: Math.floor(Date.now() / 1000) });

/**
 * A POST that declares or streams a large body and never finishes it: resolves with the worker's answer, which can only
 * come if the worker answered without reading the whole body.
 */
function postWithoutFinishing(
  url: string,
  headers: Record<string, string>,
  chunk: Buffer,
  chunks: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${url}/invocations`, { method: 'POST', headers }, (response: IncomingMessage) => {
      let body = '';
      response.on('data', (data) => {
        body += data;
      });
      response.on('end', () => {
        outgoing.destroy();
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    // The worker may close the connection while we still write: that is the point, not a failure.
    outgoing.on('error', (error) => {
      if (!outgoing.destroyed || !('code' in error)) reject(error);
    });
    for (let sent = 0; sent < chunks; sent++) outgoing.write(chunk);
    // Never `end()`: the body stays unfinished.
  });
}

describe('the gpu-worker front door', () => {
  let s3: S3Server;
  let worker: WorkerProcess;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    worker = await startWorker({ ...s3.env, WORKER_SECRET: SECRET, MAX_REQUEST_BODY_BYTES: String(MAX_BODY_BYTES) });
  });
  afterAll(async () => {
    await worker?.stop();
    await s3?.stop();
  });

  it('refuses an unsigned request before reading its body', async () => {
    // 400 MB declared, 64 KiB sent: an answer means the worker never waited for the rest.
    const answer = await postWithoutFinishing(
      worker.url,
      { 'content-type': 'application/json', 'content-length': String(400 * 1024 * 1024) },
      Buffer.alloc(64 * 1024, 'a'),
      1,
    );
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error.message).toBe('request signature is missing; sign it with the worker secret');
  });

  it('refuses a declared body over MAX_REQUEST_BODY_BYTES unread, and a streamed one once it passes the cap', async () => {
    const headers = await signed('/invocations', 'whatever');
    const declared = await postWithoutFinishing(
      worker.url,
      { ...headers, 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
      Buffer.alloc(1024, 'a'),
      1,
    );
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toEqual({
      code: 'request_too_large',
      message: `the request body is ${MAX_BODY_BYTES + 1} bytes; the most this worker reads is ${MAX_BODY_BYTES} (MAX_REQUEST_BODY_BYTES)`,
    });
    // Chunked, no length declared: 16 KiB sent of an endless body.
    const streamed = await postWithoutFinishing(
      worker.url,
      { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      Buffer.alloc(1024, 'a'),
      16,
    );
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.code).toBe('request_too_large');
  });

  it('refuses a signed request sent with a query the signature does not cover', async () => {
    const body = JSON.stringify(job('front-door-query'));
    const headers = await signed('/invocations', body);
    const response = await fetch(`${worker.url}/invocations?x=1`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toBe('request signature is mismatch; sign it with the worker secret');
  });

  it('binds a job id to its body: the same id with another body is refused, the same body is the same job', async () => {
    const first = await invoke(worker, job('front-door-bound'), SECRET, { prefer: 'respond-async' });
    expect(first.status).toBe(202);
    const other = await invoke(worker, job('front-door-bound', { parameters: { prompt: 'something else', seed: 1 } }));
    expect(other.status).toBe(409);
    expect(await errorOf(other)).toEqual({
      code: 'job_id_conflict',
      message: 'job front-door-bound came here before with another body; a job id names one job',
    });
    const same = await invoke(worker, job('front-door-bound'));
    expect(same.status).toBe(200);
  });

  it('keeps an idle connection open past the 5 s its callers pool one for, so the caller, not the worker, closes it', async () => {
    const { port, hostname } = new URL(worker.url);
    const socket = connect(Number(port), hostname);
    const answers: string[] = [];
    let closedAtMs: number | undefined;
    socket.on('data', (data) => answers.push(data.toString('latin1')));
    socket.on('close', () => {
      closedAtMs = Date.now();
    });
    const ping = () => socket.write(`GET /ping HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    const pinged = async (count: number) => {
      while (answers.filter((answer) => answer.startsWith('HTTP/1.1 200')).length < count && closedAtMs === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    ping();
    await pinged(1);
    // Node's default would close the socket after 5 s idle; workerd's pool keeps one about that long.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(closedAtMs).toBeUndefined();
    ping();
    await pinged(2);
    socket.destroy();
    expect(answers.filter((answer) => answer.startsWith('HTTP/1.1 200'))).toHaveLength(2);
  }, 15_000);
});
