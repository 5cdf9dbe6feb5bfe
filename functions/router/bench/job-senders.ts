import { readServerSentEvents, signRequest } from '@stipple/jobs';

/** The same image on both paths: tiny-shapes, small enough that the router's share is visible. */
export const IMAGE = { prompt: 'a red circle on a blue background', width: 64, height: 64, steps: 4, n: 1 } as const;
/** The bucket the local stack's router names (`S3_BUCKET`), so both paths write to the same store. */
const BUCKET = 'stipple-outputs';

/** Where one job's time went, as the client and the router's clock saw it (ms since the epoch, one machine). */
export interface RouterTimeline {
  sentAt: number;
  createdAt: number;
  startedAt: number;
  completedAt: number;
  answeredAt: number;
}

interface JobView {
  id: string;
  status: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error: unknown;
}

export interface JobSenders {
  /** `POST /v1/jobs` with `Prefer: wait=30`: ms until the finished job is read, and the router's timestamps. */
  viaRouter(seed: number): Promise<{ ms: number; timeline: RouterTimeline }>;
  /** A signed `POST /invocations` in JSON mode: ms until the manifest is read. */
  viaWorker(seed: number): Promise<number>;
  /** A job of `steps` steps through the router, followed on its event stream: progress relay delays, ms. */
  relayDelays(seed: number, steps: number): Promise<number[]>;
}

/** `idPrefix` keeps two senders' job ids apart (the worker answers a job id it has done from its manifest). */
export function createJobSenders(
  routerUrl: string,
  devKey: string,
  workerUrl: string,
  workerSecret: string,
  idPrefix = 'bench',
) {
  const authorization = `Bearer ${devKey}`;
  let counter = 0;

  async function failed(what: string, response: Response): Promise<Error> {
    return new Error(`${what} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }

  const submit = (seed: number, steps: number, prefer: Record<string, string>) =>
    fetch(`${routerUrl}/v1/jobs`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', ...prefer },
      body: JSON.stringify({ model: 'tiny-shapes', ...IMAGE, steps, seed }),
    });

  return {
    async viaRouter(seed) {
      const sentAt = Date.now();
      const start = performance.now();
      const response = await submit(seed, IMAGE.steps, { prefer: 'wait=30' });
      if (response.status !== 200) throw await failed('POST /v1/jobs', response);
      const job = (await response.json()) as JobView;
      const ms = performance.now() - start;
      if (job.status !== 'succeeded')
        throw new Error(`job ${job.id} ended ${job.status}: ${JSON.stringify(job.error)}`);
      const at = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));
      const timeline = {
        sentAt,
        createdAt: at(job.created_at),
        startedAt: at(job.started_at),
        completedAt: at(job.completed_at),
        answeredAt: sentAt + ms,
      };
      return { ms, timeline };
    },

    async viaWorker(seed) {
      const { prompt, ...size } = IMAGE;
      const body = JSON.stringify({
        jobId: `${idPrefix}-${process.pid}-${counter++}`,
        tenantId: 'bench',
        modelId: 'tiny-shapes',
        parameters: { prompt, ...size, seed },
        output: { bucket: BUCKET, keyPrefix: 'bench', format: 'png' },
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const signed = await signRequest({ secret: workerSecret, method: 'POST', path: '/invocations', body, timestamp });
      const start = performance.now();
      const response = await fetch(`${workerUrl}/invocations`, {
        method: 'POST',
        headers: { ...signed, 'content-type': 'application/json' },
        body,
      });
      if (response.status !== 200) throw await failed('POST /invocations', response);
      await response.json();
      return performance.now() - start;
    },

    async relayDelays(seed, steps) {
      const created = await submit(seed, steps, {});
      if (created.status !== 202 && created.status !== 200) throw await failed('POST /v1/jobs', created);
      const { id } = (await created.json()) as JobView;
      const events = await fetch(`${routerUrl}/v1/jobs/${id}/events`, {
        headers: { authorization, accept: 'text/event-stream' },
      });
      if (events.status !== 200 || !events.body) throw await failed(`GET /v1/jobs/${id}/events`, events);
      // Steps reported before the stream was open measure how late we came, not the relay: only later ones count.
      const openedAt = Date.now();
      const delays: number[] = [];
      let ending = '';
      for await (const event of readServerSentEvents(events.body)) {
        const receivedAt = Date.now();
        if (event.event === 'progress') {
          const reportedAt = Date.parse((JSON.parse(event.data) as { reported_at?: string }).reported_at ?? '');
          if (reportedAt >= openedAt) delays.push(receivedAt - reportedAt);
        } else if (event.event !== 'preview') {
          ending = event.event;
        }
      }
      if (ending !== 'succeeded') throw new Error(`job ${id}'s event stream ended with ${ending || 'no final event'}`);
      return delays;
    },
  } satisfies JobSenders;
}
