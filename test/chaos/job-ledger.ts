/**
 * Every job the fault suite submits, and what became of it. Each job gets a tenant of its own, so the tenant's
 * account (`GET /v1/usage`) tells exactly what that one job was charged: its price once if it succeeded, nothing
 * otherwise, and nothing left held either way.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { s3ClientFor } from '@stipple/test-support/s3-server';
import { ADMIN_SECRET, BUCKET, type ChaosStack, KEY_PREFIX } from './chaos-stack.ts';

/** Credits granted to each job's tenant: more than any one job here costs. */
export const GRANTED_CREDITS = 10;
const TERMINAL = ['succeeded', 'failed', 'canceled', 'aborted', 'timed_out'];
const POLL_MS = 250;

/** Whether the router last showed the job in a terminal state. */
export const ended = (job: TrackedJob) => TERMINAL.includes(job.last?.status ?? '');

/** The parts of `GET /v1/jobs/:id` the suite reads. */
export interface JobView {
  id: string;
  status: string;
  progress: { step: number; total_steps: number } | null;
  outputs: { url: string }[];
  usage: { credits: number };
  error: { code: string; message: string } | null;
}

export interface TrackedJob {
  id: string;
  scenario: string;
  tenantId: string;
  key: string;
  /** The job's price, from its `usage.credits` at creation. */
  price: number;
  submittedAt: number;
  /** The last answer to `GET /v1/jobs/:id`. */
  last?: JobView;
  /** When the router first showed it ended (ms since the epoch). */
  endedAt?: number;
  /** Not terminal within its bound. */
  stuck?: boolean;
  audit?: JobAudit;
}

/** What the account and the store say about an ended job. */
export interface JobAudit {
  creditsSpent: number;
  creditsReserved: number;
  creditsRemaining: number;
  manifestExists: boolean;
  /** Status of each output URL's GET. */
  outputStatuses: number[];
}

export class JobLedger {
  readonly jobs: TrackedJob[] = [];

  constructor(private readonly stack: ChaosStack) {}

  private get url(): string {
    return this.stack.router.url;
  }

  /** A request to the router; a network failure (the router is restarting) throws. */
  call(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`${this.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(20_000) });
  }

  private async admin(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await this.call(`/v1/admin${path}`, {
      method: 'POST',
      token: ADMIN_SECRET,
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`admin ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  /** Submits one job for a new tenant: tiny-shapes, `size`², `steps` long enough to be mid-run when a fault hits. */
  async submit(scenario: string, steps: number, size = 64, seed = 7): Promise<TrackedJob> {
    const tenantId = `chaos_${crypto.randomUUID().slice(0, 12)}`;
    const { key } = (await this.admin(`/tenants/${tenantId}/keys`, {})) as { key: string };
    await this.admin(`/tenants/${tenantId}/credits`, { credits: GRANTED_CREDITS });
    const body = {
      model: 'tiny-shapes',
      prompt: 'a red circle on a blue background',
      width: size,
      height: size,
      steps,
      seed,
    };
    const response = await this.call('/v1/jobs', { method: 'POST', token: key, body: JSON.stringify(body) });
    if (response.status !== 202) throw new Error(`POST /v1/jobs answered ${response.status}: ${await response.text()}`);
    const view = (await response.json()) as JobView;
    const job: TrackedJob = {
      id: view.id,
      scenario,
      tenantId,
      key,
      price: view.usage.credits,
      submittedAt: Date.now(),
      last: view,
    };
    this.jobs.push(job);
    this.stack.log.add('chaos', `${scenario}: submitted ${job.id} (tenant ${tenantId}, ${steps} steps)`);
    return job;
  }

  /** The job as the router shows it now; `undefined` while the router does not answer. */
  async read(job: TrackedJob): Promise<JobView | undefined> {
    try {
      const response = await this.call(`/v1/jobs/${job.id}`, { token: job.key });
      if (!response.ok) {
        this.stack.log.add('chaos', `GET ${job.id} answered ${response.status}: ${await response.text()}`);
        return undefined;
      }
      return this.saw(job, (await response.json()) as JobView);
    } catch {
      return undefined;
    }
  }

  /** Keeps the router's latest word on the job, and when it first said the job had ended. */
  private saw(job: TrackedJob, view: JobView): JobView {
    job.last = view;
    if (ended(job) && job.endedAt === undefined) {
      job.endedAt = Date.now();
      this.stack.log.add('chaos', `${job.id} ended ${view.status} (${view.error?.code ?? 'no error'})`);
    }
    return view;
  }

  /** Resolves once `done` holds for the job; throws after `timeoutMs`. */
  async until(job: TrackedJob, what: string, done: (view: JobView) => boolean, timeoutMs: number): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.read(job);
      if (view && done(view)) return view;
      if (Date.now() > deadline) {
        throw new Error(`${job.id}: ${what} did not happen within ${timeoutMs} ms; last ${JSON.stringify(job.last)}`);
      }
      await sleep(POLL_MS);
    }
  }

  /** Waits until the job's GPU has reported `step` (so a fault now hits it mid-run). */
  midRun(job: TrackedJob, step = 5, timeoutMs = 30_000): Promise<JobView> {
    return this.until(job, `step ${step}`, (view) => (view.progress?.step ?? 0) >= step, timeoutMs);
  }

  /** Watches the jobs until each has ended or `boundMs` from now has passed; a job still not ended then is stuck. */
  async settle(jobs: TrackedJob[], boundMs: number): Promise<void> {
    const deadline = Date.now() + boundMs;
    await Promise.all(
      jobs.map(async (job) => {
        for (;;) {
          await this.read(job);
          if (ended(job)) return;
          if (Date.now() > deadline) {
            job.stuck = true;
            this.stack.log.add('chaos', `${job.id} STUCK ${job.last?.status}: not ended within its bound`);
            return;
          }
          await sleep(POLL_MS);
        }
      }),
    );
  }

  /**
   * `GET /v1/admin/providers`: runs the router's provider health check now and keeps its verdict for the jobs that
   * are placed next (the check the router itself makes at most once a minute while it places jobs).
   */
  async checkProviders(): Promise<{ id: string; healthy: boolean }[]> {
    const response = await this.call('/v1/admin/providers', { token: ADMIN_SECRET });
    const { data } = (await response.json()) as { data: { id: string; healthy: boolean }[] };
    this.stack.log.add(
      'chaos',
      `providers checked: ${JSON.stringify(data.map(({ id, healthy }) => ({ id, healthy })))}`,
    );
    return data;
  }

  /** `POST /v1/jobs/:id/cancel`: the answer's status and body. */
  async cancel(job: TrackedJob): Promise<{ status: number; view: JobView }> {
    const response = await this.call(`/v1/jobs/${job.id}/cancel`, { method: 'POST', token: job.key });
    const text = await response.text();
    this.stack.log.add('chaos', `cancel ${job.id} answered ${response.status}`);
    let view: JobView;
    try {
      view = JSON.parse(text) as JobView;
    } catch {
      throw new Error(`cancel ${job.id} answered ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (response.ok) this.saw(job, view);
    return { status: response.status, view };
  }

  /** Records the job's tenant's account, whether its manifest exists, and how its output URLs answer. */
  async audit(job: TrackedJob): Promise<JobAudit> {
    const usageResponse = await this.call('/v1/usage', { token: job.key });
    if (!usageResponse.ok) throw new Error(`GET /v1/usage answered ${usageResponse.status} for ${job.tenantId}`);
    const usage = (await usageResponse.json()) as Record<string, number>;
    const client = s3ClientFor(this.stack.s3);
    let manifestExists = true;
    try {
      const key = `${KEY_PREFIX}/${job.tenantId}/${job.id}/result.json`;
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      await object.Body?.transformToString();
    } catch (error) {
      if (!(error instanceof NoSuchKey)) throw error;
      manifestExists = false;
    } finally {
      client.destroy();
    }
    const outputStatuses = await Promise.all(
      (job.last?.outputs ?? []).map(async (output) => {
        const response = await fetch(output.url, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    job.audit = {
      creditsSpent: usage.credits_spent,
      creditsReserved: usage.credits_reserved,
      creditsRemaining: usage.credits_remaining,
      manifestExists,
      outputStatuses,
    };
    return job.audit;
  }

  /** What every job came to, by the suite's measures. */
  counts() {
    const charged = (job: TrackedJob) => job.audit?.creditsSpent ?? 0;
    const succeeded = this.jobs.filter((job) => job.last?.status === 'succeeded');
    return {
      jobs: this.jobs.length,
      terminal: this.jobs.filter((job) => ended(job) && !job.stuck).length,
      stuck: this.jobs.filter((job) => job.stuck).length,
      // Charged more than once (a succeeded job), or at all (any other).
      doubleCharged: this.jobs.filter((job) => charged(job) > (job.last?.status === 'succeeded' ? job.price : 0))
        .length,
      // A succeeded job that was not charged, or credits still held after a job ended.
      creditsWrong: this.jobs.filter(
        (job) =>
          job.audit !== undefined &&
          (job.audit.creditsReserved !== 0 ||
            job.audit.creditsRemaining !== GRANTED_CREDITS - job.audit.creditsSpent ||
            (job.last?.status === 'succeeded' && charged(job) !== job.price)),
      ).length,
      succeeded: succeeded.length,
      succeededWithoutManifest: succeeded.filter((job) => job.audit && !job.audit.manifestExists).length,
    };
  }
}
