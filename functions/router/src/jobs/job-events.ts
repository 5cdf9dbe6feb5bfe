import type { EdgeStorage } from '@stipple/adapters';
import type { SSEStreamingApi } from 'hono/streaming';
import { jobRun } from '../durable-objects.ts';
import type { Env } from '../env.ts';
import { type JobRecord, TERMINAL_STATUSES } from './job-record.ts';
import { readJob } from './job-run.ts';
import { jobView } from './job-view.ts';
import type { JobPreviewEventData, JobProgressEventData } from './public-job-types.ts';

/** With nothing new for this long, a comment line keeps proxies from closing the stream, and the key is re-checked. */
const HEARTBEAT_MS = 15_000;
/** The caller's key is re-checked at least this often while events flow, and always before the final event. */
const REAUTHORIZE_MS = 5_000;

/**
 * A job's Server-Sent Events: `progress` (step, total, ETA) when it changes, `preview` (PNG data URLs) when a new one
 * arrives, then the final state as an event named after it (`succeeded`, `failed`, `canceled`, …) carrying the whole
 * job, and the stream ends. Each event's `id` is the step it reports, so a client can tell what it missed. Events are
 * pushed: the job's object answers as soon as the job changes. A stream whose key is revoked ends with `unauthorized`.
 */
export async function streamJobEvents(
  env: Env,
  first: JobRecord,
  stream: SSEStreamingApi,
  storage: EdgeStorage,
  stillAuthorized: () => Promise<boolean>,
): Promise<void> {
  let record: JobRecord = first;
  let sentProgress = '';
  let sentPreview = '';
  let checkedAt = Date.now();
  const authorized = async () => {
    checkedAt = Date.now();
    if (await stillAuthorized()) return true;
    const message = 'the key of this stream was revoked or expired; open it again with a valid key';
    await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: { code: 'invalid_api_key', message } }) });
    return false;
  };
  while (!stream.aborted) {
    if (Date.now() - checkedAt >= REAUTHORIZE_MS && !(await authorized())) return;
    if (record.progress && JSON.stringify(record.progress) !== sentProgress) {
      sentProgress = JSON.stringify(record.progress);
      const { step, totalSteps, etaMs, reportedAt } = record.progress;
      await stream.writeSSE({
        event: 'progress',
        id: String(step),
        data: JSON.stringify({
          step,
          total_steps: totalSteps,
          eta_ms: etaMs,
          ...(reportedAt !== undefined && { reported_at: new Date(reportedAt).toISOString() }),
        } satisfies JobProgressEventData),
      });
    }
    if (record.preview && record.preview.images.join() !== sentPreview) {
      sentPreview = record.preview.images.join();
      await stream.writeSSE({
        event: 'preview',
        id: String(record.preview.step),
        data: JSON.stringify(record.preview satisfies JobPreviewEventData),
      });
    }
    if (TERMINAL_STATUSES.includes(record.status)) {
      if (!(await authorized())) return;
      await stream.writeSSE({ event: record.status, data: JSON.stringify(await jobView(record, storage)) });
      return;
    }
    const before = record.revision ?? 0;
    const next = (await jobRun(env, record.id)
      .waitForChange(before, HEARTBEAT_MS)
      .catch(() => readJob(env, record.id))) as JobRecord | undefined;
    record = next ?? record;
    if ((record.revision ?? 0) === before && !stream.aborted) await stream.write(': keep-alive\n\n');
  }
}
