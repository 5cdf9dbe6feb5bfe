import type { EdgeStorage } from '@stipple/adapters';
import type { SSEStreamingApi } from 'hono/streaming';
import type { Env } from '../env.ts';
import { type JobRecord, TERMINAL_STATUSES } from './job-record.ts';
import { readJob } from './job-run.ts';
import { jobView } from './job-view.ts';

const POLL_MS = 250;

/**
 * A job's Server-Sent Events: `progress` (step, total, ETA) when it changes, `preview` (PNG data URLs) when a new one
 * arrives, then the final state as an event named after it (`succeeded`, `failed`, `canceled`, …) carrying the whole
 * job, and the stream ends. Each event's `id` is the step it reports, so a client can tell what it missed.
 */
export async function streamJobEvents(
  env: Env,
  first: JobRecord,
  stream: SSEStreamingApi,
  storage: EdgeStorage,
): Promise<void> {
  let record: JobRecord = first;
  let sentProgress = '';
  let sentPreview = '';
  while (!stream.aborted) {
    if (record.progress && JSON.stringify(record.progress) !== sentProgress) {
      sentProgress = JSON.stringify(record.progress);
      const { step, totalSteps, etaMs } = record.progress;
      await stream.writeSSE({
        event: 'progress',
        id: String(step),
        data: JSON.stringify({ step, total_steps: totalSteps, eta_ms: etaMs }),
      });
    }
    if (record.preview && record.preview.images.join() !== sentPreview) {
      sentPreview = record.preview.images.join();
      await stream.writeSSE({
        event: 'preview',
        id: String(record.preview.step),
        data: JSON.stringify(record.preview),
      });
    }
    if (TERMINAL_STATUSES.includes(record.status)) {
      await stream.writeSSE({ event: record.status, data: JSON.stringify(await jobView(record, storage)) });
      return;
    }
    await stream.sleep(POLL_MS);
    record = (await readJob(env, record.id)) ?? record;
  }
}
