/**
 * Faults on a job's path, against the real parts (s3rver, the gpu-worker process, the router in workerd): kill the
 * worker, drain it, start without one, stop the store, restart the edge, cancel in the middle of each; then watch
 * every job end within a stated bound with its credits right (docs/ARCHITECTURE.md, "A job's events").
 *
 * `CHAOS_LOG_FILE=/tmp/chaos.log` keeps every part's log lines (router, worker, this suite) for a diagnosis.
 */
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosStack, startChaosStack } from './chaos-stack.ts';
import { ended, GRANTED_CREDITS, JobLedger, type TrackedJob } from './job-ledger.ts';

/** Taken before the suite captures the console (the router's lines go to its log), so the summary is seen. */
const print = console.log.bind(console);

/**
 * tiny-shapes at 192² for 150 steps (the most a request may ask): about 4 s on an idle core, 10 s on a busy one. A
 * scenario's jobs run one after the other on the worker, so when the fault lands the first is mid-run and the others
 * wait in the worker.
 */
const STEPS = 150;
const SIZE = 192;

/**
 * Bounds from the fault to every job's end (docs/ARCHITECTURE.md lists each failure path's). A killed or drained
 * worker: 5 s of silence (or the hand-back at once), the job placed again on the restarted worker and run again from
 * the start; two such jobs run again one after the other. No worker: once one is up, placement is retried at most 15 s
 * apart (docs/router.md, "Deadlines"), then the runs. A stopped store or edge: the job ends where it stood.
 */
const WORKER_LOST_BOUND_MS = 30_000;
const TWO_WORKER_LOST_BOUND_MS = 45_000;
const NO_WORKER_BOUND_MS = 45_000;
const STORE_DOWN_BOUND_MS = 30_000;
const EDGE_RESTART_BOUND_MS = 30_000;
/** A canceled job is `canceled` in the cancel's own answer; its credits are back by the time it is. */
const CANCELED_BOUND_MS = 5_000;
/** Beyond a bound, what a test may spend starting parts and waiting for its jobs to be mid-run. */
const SETUP_MS = 60_000;
/** How many times the SIGKILL scenario repeats. */
const KILL_ROUNDS = 3;
/** A job is placed again at most this many times after losing its GPU (functions/router/src/jobs/job-timing.ts). */
const MAX_REPLACEMENTS = 3;

describe('jobs under faults (real worker, s3rver and router in workerd)', () => {
  let stack: ChaosStack;
  let ledger: JobLedger;
  /** One line per job: scenario, outcome, and its time from the fault to its end. */
  const timings: string[] = [];

  beforeAll(async () => {
    stack = await startChaosStack();
    ledger = new JobLedger(stack);
    await expectHealthy();
  }, SETUP_MS);

  afterAll(async () => {
    await stack?.stop();
    const file = process.env.CHAOS_LOG_FILE;
    if (file && stack) await writeFile(file, `${[...stack.log.lines, ...timings].join('\n')}\n`);
  }, SETUP_MS);

  // A scenario that failed half-way leaves the next one every part running and no job of its own still going: jobs
  // it left before watching them still get a bound to end (else they count as stuck); then any not ended is canceled.
  afterEach(async () => {
    if (!stack.s3.running) await stack.s3.start();
    if (!stack.router.running) await stack.router.start();
    if (!stack.worker.running) await stack.worker.start();
    await ledger.settle(
      ledger.jobs.filter((job) => !ended(job) && !job.stuck),
      WORKER_LOST_BOUND_MS,
    );
    for (const job of ledger.jobs.filter((job) => !ended(job))) await ledger.cancel(job).catch(() => undefined);
    // Jobs a scenario did not audit (stuck, or left by a failure) still have their credits checked.
    await Promise.all(ledger.jobs.filter((job) => ended(job) && !job.audit).map((job) => ledger.audit(job)));
    await expectHealthy();
  }, WORKER_LOST_BOUND_MS + SETUP_MS);

  /**
   * Each scenario starts with the router's provider health check fresh and healthy, as the router keeps it for a
   * minute: so no scenario meets a verdict taken during another's fault, and the once-a-minute recheck does not fall
   * inside a scenario's own fault (two scenarios below put it there on purpose).
   */
  async function expectHealthy(): Promise<void> {
    expect(await ledger.checkProviders()).toEqual([expect.objectContaining({ id: 'local', healthy: true })]);
  }

  async function submit(scenario: string, count: number): Promise<TrackedJob[]> {
    const jobs: TrackedJob[] = [];
    for (let index = 0; index < count; index++) jobs.push(await ledger.submit(scenario, STEPS, SIZE, index + 1));
    return jobs;
  }

  /** Waits until the first job is mid-run (the others wait behind it in the worker). */
  const midRun = (jobs: TrackedJob[]) => ledger.midRun(jobs[0]);

  /** The fault's time and the log's length then, taken just before it is injected. */
  const mark = () => ({ faultAt: Date.now(), logIndex: stack.log.lines.length });

  /**
   * Checks that the fault marked at `logIndex` hit the first job before it finished (else the scenario would prove
   * nothing: the jobs are too short for this machine).
   */
  function faultHit(jobs: TrackedJob[], logIndex: number): void {
    const before = stack.log.lines.slice(0, logIndex);
    const finished = before.some((line) => line.includes('"job_succeeded"') && line.includes(jobs[0].id));
    expect(finished, `the fault came after ${jobs[0].id} had finished`).toBe(false);
  }

  /** Waits for the jobs to end within `boundMs`, notes each one's time from `faultAt`, then audits them. */
  async function observe(scenario: string, jobs: TrackedJob[], faultAt: number, boundMs: number): Promise<void> {
    await ledger.settle(jobs, boundMs - (Date.now() - faultAt));
    for (const job of jobs) {
      const after = job.endedAt === undefined ? 'not ended' : `${((job.endedAt - faultAt) / 1000).toFixed(1)} s`;
      const code = job.last?.error?.code;
      timings.push(`${scenario}: ${job.id} ${job.last?.status}${code ? ` (${code})` : ''}, ${after} after the fault`);
    }
    await Promise.all(jobs.filter(ended).map((job) => ledger.audit(job)));
  }

  /** How many of the job's log lines hold `text`. */
  const count = (job: TrackedJob, text: string) =>
    stack.log.lines.filter((line) => line.includes(job.id) && line.includes(text)).length;

  /** Resolves once `condition` holds; fails after the worker-lost bound. */
  async function until(what: string, condition: () => boolean): Promise<void> {
    const deadline = Date.now() + WORKER_LOST_BOUND_MS;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${WORKER_LOST_BOUND_MS} ms`);
      await sleep(100);
    }
  }

  /** The job's own log lines (router, worker, suite), for a failure's message. */
  const story = (job: TrackedJob) => `${job.id}, whose log is:\n${stack.log.about(job.id)}`;

  /** Each job ended `status` in time, was charged its price once if it succeeded and nothing otherwise. */
  function expectEnded(jobs: TrackedJob[], status: string): void {
    for (const job of jobs) {
      expect(job.stuck ?? false, `stuck: ${story(job)}`).toBe(false);
      expect(job.last?.status, story(job)).toBe(status);
      expectHonest(job);
    }
  }

  /** Credits and outputs agree with how the job ended: a success has its manifest and URLs, the rest cost nothing. */
  function expectHonest(job: TrackedJob): void {
    const audit = job.audit!;
    const succeeded = job.last?.status === 'succeeded';
    const price = succeeded ? job.price : 0;
    expect(job.last?.usage.credits, story(job)).toBe(price);
    expect(audit.creditsSpent, `credits spent by ${story(job)}`).toBe(price);
    expect(audit.creditsReserved, `credits still held by ${story(job)}`).toBe(0);
    expect(audit.creditsRemaining).toBe(GRANTED_CREDITS - price);
    expect(audit.manifestExists, `manifest of ${story(job)}`).toBe(succeeded);
    expect(audit.outputStatuses).toEqual(succeeded ? [200] : []);
  }

  /** Cancels each job and expects the answer 200 with the job `canceled`. */
  async function cancelAll(jobs: TrackedJob[]): Promise<number> {
    const canceledAt = Date.now();
    for (const job of jobs) {
      const { status, view } = await ledger.cancel(job);
      expect(status, story(job)).toBe(200);
      expect(view.status).toBe('canceled');
    }
    return canceledAt;
  }

  it(
    '1. places a job again when its worker is SIGKILLed mid-run and restarted on the same port',
    async () => {
      const jobs = await submit('1 sigkill', 2);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await stack.worker.kill('SIGKILL');
      faultHit(jobs, logIndex);
      await stack.worker.start();
      await observe('1 sigkill', jobs, faultAt, TWO_WORKER_LOST_BOUND_MS);
      expectEnded(jobs, 'succeeded');
    },
    TWO_WORKER_LOST_BOUND_MS + SETUP_MS,
  );

  it(
    '1b. places a job again when its worker is SIGKILLed and the router checks its providers before the restart',
    async () => {
      const jobs = await submit('1b sigkill, checked while down', 1);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await stack.worker.kill('SIGKILL');
      faultHit(jobs, logIndex);
      // The router's own check (at most once a minute, while it places jobs) can land in the gap; this one does.
      expect(await ledger.checkProviders()).toEqual([expect.objectContaining({ id: 'local', healthy: false })]);
      await stack.worker.start();
      await observe('1b sigkill, checked while down', jobs, faultAt, WORKER_LOST_BOUND_MS);
      expectEnded(jobs, 'succeeded');
    },
    WORKER_LOST_BOUND_MS + SETUP_MS,
  );

  it(
    '2. places a job again that a draining worker (SIGTERM, no grace) handed back, on the next worker',
    async () => {
      const jobs = await submit('2 sigterm', 2);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await stack.worker.kill('SIGTERM');
      faultHit(jobs, logIndex);
      expect(stack.log.about(jobs[0].id)).toMatch(/"event":"job_failed".*"code":"worker_shutting_down"/);
      await stack.worker.start();
      await observe('2 sigterm', jobs, faultAt, TWO_WORKER_LOST_BOUND_MS);
      expectEnded(jobs, 'succeeded');
    },
    TWO_WORKER_LOST_BOUND_MS + SETUP_MS,
  );

  it(
    '3. runs a job submitted while no worker is up (and found down by a health check) once one starts 3 s later',
    async () => {
      await stack.worker.kill('SIGTERM');
      const faultAt = Date.now();
      // As after a quiet minute, when the first placement starts the router's health check: it finds no worker.
      expect(await ledger.checkProviders()).toEqual([expect.objectContaining({ id: 'local', healthy: false })]);
      const jobs = await submit('3 no worker', 2);
      await sleep(3_000);
      await stack.worker.start();
      await observe('3 no worker', jobs, faultAt, NO_WORKER_BOUND_MS);
      expectEnded(jobs, 'succeeded');
    },
    NO_WORKER_BOUND_MS + SETUP_MS,
  );

  /** A stopped store may fail the job (its worker cannot write): any end in time is right if credits and outputs agree. */
  function expectEndedHonestly(jobs: TrackedJob[]): void {
    for (const job of jobs) {
      expect(job.stuck ?? false, `stuck: ${story(job)}`).toBe(false);
      expectHonest(job);
    }
  }

  it(
    '4a. ends a job whose store stopped mid-run and stayed down, in time, reporting nothing done without its manifest',
    async () => {
      const jobs = await submit('4a store down', 2);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await stack.s3.stop();
      faultHit(jobs, logIndex);
      await ledger.settle(jobs, STORE_DOWN_BOUND_MS);
      // Back only to look: a job that says it succeeded must have its manifest.
      await stack.s3.start();
      await observe('4a store down', jobs, faultAt, STORE_DOWN_BOUND_MS);
      expectEndedHonestly(jobs);
    },
    STORE_DOWN_BOUND_MS + SETUP_MS,
  );

  it(
    '4b. ends a job whose store stopped for 1 s mid-run and came back on the same port, in time and honestly',
    async () => {
      const jobs = await submit('4b store blip', 1);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await stack.s3.stop();
      faultHit(jobs, logIndex);
      await sleep(1_000);
      await stack.s3.start();
      await observe('4b store blip', jobs, faultAt, STORE_DOWN_BOUND_MS);
      expectEndedHonestly(jobs);
    },
    STORE_DOWN_BOUND_MS + SETUP_MS,
  );

  it(
    '5a. finishes a job whose router (workerd) restarted mid-run, from its persisted Durable Objects',
    async () => {
      const jobs = await submit('5a edge restart', 1);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await stack.router.stop();
      faultHit(jobs, logIndex);
      await stack.router.start();
      await observe('5a edge restart', jobs, faultAt, EDGE_RESTART_BOUND_MS);
      expectEnded(jobs, 'succeeded');
    },
    EDGE_RESTART_BOUND_MS + SETUP_MS,
  );

  /** Stops the router until the worker has finished every job and given up reporting its end (0.25, 1, 4 s). */
  async function routerDownUntilReportsLost(jobs: TrackedJob[]): Promise<void> {
    await stack.router.stop();
    await until('the worker giving up its final events', () =>
      jobs.every((job) => count(job, '"event":"callback_gave_up"') > 0),
    );
  }

  it(
    '5b. finishes a job whose worker gave up reporting its end while the router was down (the worker remembers)',
    async () => {
      const jobs = await submit('5b edge down', 1);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await routerDownUntilReportsLost(jobs);
      faultHit(jobs, logIndex);
      const backAt = Date.now();
      await stack.router.start();
      await observe('5b edge down', jobs, backAt, EDGE_RESTART_BOUND_MS);
      timings.push(`5b edge down: the router was down ${((backAt - faultAt) / 1000).toFixed(1)} s`);
      expectEnded(jobs, 'succeeded');
    },
    EDGE_RESTART_BOUND_MS + 2 * SETUP_MS,
  );

  it(
    '5c. finishes it too when that worker was restarted (forgetting it) before the router came back: S3 decides',
    async () => {
      const jobs = await submit('5c edge down, worker restarted', 1);
      await midRun(jobs);
      const { faultAt, logIndex } = mark();
      await routerDownUntilReportsLost(jobs);
      faultHit(jobs, logIndex);
      await stack.worker.kill('SIGKILL');
      await stack.worker.start();
      const backAt = Date.now();
      await stack.router.start();
      await observe('5c edge down, worker restarted', jobs, backAt, EDGE_RESTART_BOUND_MS);
      timings.push(`5c edge down, worker restarted: the router was down ${((backAt - faultAt) / 1000).toFixed(1)} s`);
      expectEnded(jobs, 'succeeded');
      // Not run again: the manifest the first run left settled it.
      expect(count(jobs[0], '"event":"job_started"'), story(jobs[0])).toBe(1);
    },
    EDGE_RESTART_BOUND_MS + 2 * SETUP_MS,
  );

  describe('6. cancel during a fault', () => {
    it(
      'a. while the worker is killed and down: 200 canceled, credits back',
      async () => {
        const jobs = await submit('6a cancel, worker down', 2);
        await midRun(jobs);
        const { logIndex } = mark();
        await stack.worker.kill('SIGKILL');
        faultHit(jobs, logIndex);
        const canceledAt = await cancelAll(jobs);
        await observe('6a cancel, worker down', jobs, canceledAt, CANCELED_BOUND_MS);
        expectEnded(jobs, 'canceled');
      },
      CANCELED_BOUND_MS + SETUP_MS,
    );

    it(
      'b. right after a router restart: 200 canceled, credits back, the worker told to stop',
      async () => {
        const jobs = await submit('6b cancel after edge restart', 2);
        await midRun(jobs);
        const { logIndex } = mark();
        await stack.router.stop();
        faultHit(jobs, logIndex);
        await stack.router.start();
        const canceledAt = await cancelAll(jobs);
        await observe('6b cancel after edge restart', jobs, canceledAt, CANCELED_BOUND_MS);
        expectEnded(jobs, 'canceled');
        for (const job of jobs) expect(stack.log.about(job.id), story(job)).toContain('"event":"job_cancel_requested"');
      },
      CANCELED_BOUND_MS + SETUP_MS,
    );

    it(
      'c. while a drained worker has handed the job back and none is up: 200 canceled, credits back',
      async () => {
        const jobs = await submit('6c cancel, handed back', 2);
        await midRun(jobs);
        const { logIndex } = mark();
        await stack.worker.kill('SIGTERM');
        faultHit(jobs, logIndex);
        await ledger.until(jobs[0], 'queued again', (view) => view.status === 'queued', 10_000);
        const canceledAt = await cancelAll(jobs);
        await observe('6c cancel, handed back', jobs, canceledAt, CANCELED_BOUND_MS);
        expectEnded(jobs, 'canceled');
      },
      CANCELED_BOUND_MS + SETUP_MS,
    );

    it(
      'd. while the store is down: 200 canceled, credits back',
      async () => {
        const jobs = await submit('6d cancel, store down', 2);
        await midRun(jobs);
        const { logIndex } = mark();
        await stack.s3.stop();
        faultHit(jobs, logIndex);
        const canceledAt = await cancelAll(jobs);
        await ledger.settle(jobs, CANCELED_BOUND_MS);
        await stack.s3.start();
        await observe('6d cancel, store down', jobs, canceledAt, CANCELED_BOUND_MS);
        expectEnded(jobs, 'canceled');
      },
      CANCELED_BOUND_MS + SETUP_MS,
    );

    it(
      'e. while it waits for a worker that is not up: 200 canceled, credits back',
      async () => {
        await stack.worker.kill('SIGTERM');
        const jobs = await submit('6e cancel, no worker', 2);
        await sleep(1_500);
        const canceledAt = await cancelAll(jobs);
        await observe('6e cancel, no worker', jobs, canceledAt, CANCELED_BOUND_MS);
        expectEnded(jobs, 'canceled');
      },
      CANCELED_BOUND_MS + SETUP_MS,
    );
  });

  it(
    `7. places a job again each time, over ${KILL_ROUNDS} rounds of SIGKILL and restart`,
    async () => {
      for (let round = 1; round <= KILL_ROUNDS; round++) {
        const scenario = `7 sigkill round ${round}`;
        await expectHealthy();
        const jobs = await submit(scenario, 1);
        await midRun(jobs);
        const { faultAt, logIndex } = mark();
        await stack.worker.kill('SIGKILL');
        faultHit(jobs, logIndex);
        await stack.worker.start();
        await observe(scenario, jobs, faultAt, WORKER_LOST_BOUND_MS);
        expectEnded(jobs, 'succeeded');
      }
    },
    KILL_ROUNDS * (WORKER_LOST_BOUND_MS + SETUP_MS),
  );

  it(
    `7b. ends a job failed (worker_lost), credits back, when its GPU vanishes a ${MAX_REPLACEMENTS + 1}th time`,
    async () => {
      const scenario = '7b same job sigkilled';
      const [job] = await submit(scenario, 1);
      let faultAt = 0;
      for (let loss = 1; loss <= MAX_REPLACEMENTS + 1; loss++) {
        // Its run number `loss` has begun on the worker (the router dropped the last run's progress when it placed
        // the job again, so the step seen now is this run's).
        await until(`run ${loss} of ${job.id}`, () => count(job, '"event":"job_started"') >= loss);
        await ledger.midRun(job);
        const { faultAt: at, logIndex } = mark();
        await stack.worker.kill('SIGKILL');
        faultHit([job], logIndex);
        faultAt = at;
        await stack.worker.start();
      }
      await observe(scenario, [job], faultAt, WORKER_LOST_BOUND_MS);
      expectEnded([job], 'failed');
      expect(job.last?.error?.code, story(job)).toBe('worker_lost');
      expect(count(job, '"event":"job_started"'), story(job)).toBe(MAX_REPLACEMENTS + 1);
    },
    (MAX_REPLACEMENTS + 1) * WORKER_LOST_BOUND_MS + SETUP_MS,
  );

  it('leaves no job stuck and charges none twice', () => {
    const counts = ledger.counts();
    for (const line of timings) print(`chaos: ${line}`);
    print(
      `chaos: jobs ${counts.jobs}, terminal ${counts.terminal}, stuck ${counts.stuck}, ` +
        `double-charged ${counts.doubleCharged}, succeeded-without-manifest ${counts.succeededWithoutManifest}, ` +
        `credits-wrong ${counts.creditsWrong}, succeeded ${counts.succeeded}`,
    );
    expect(counts.stuck).toBe(0);
    expect(counts.doubleCharged).toBe(0);
    expect(counts.succeededWithoutManifest).toBe(0);
  });
});
