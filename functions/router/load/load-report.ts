/** How `npm run load` prints its figures: one block per scenario, goals beside the figures, nothing asserted. */
import type { FloorPath, FloorRound, FloorRun } from './floor-scenario.ts';
import { FLOOR_PATHS } from './floor-scenario.ts';
import type { JobCreationResult } from './job-creation-scenarios.ts';
import { type RunSummary, summarize } from './load-tally.ts';
import type { ObjectThroughput } from './object-throughput.ts';

const fixed = (value: number, digits = 1) => value.toFixed(digits);

function statuses(summary: RunSummary): string {
  return Object.entries(summary.byStatus)
    .map(([status, count]) => `${status === '0' ? 'no answer' : status} ×${count}`)
    .join(', ');
}

function runLine(summary: RunSummary): string {
  const spread = summary.p99Ms / summary.p50Ms;
  return (
    `${fixed(summary.perSecond).padStart(8)} req/s   p50 ${fixed(summary.p50Ms)} ms   p99 ${fixed(summary.p99Ms)} ms` +
    `   (p99/p50 ${fixed(spread, 2)}, goal ≤ 3)`
  );
}

/** A job-creation scenario: throughput, latency, answers and the credit audit. */
export function reportJobCreations(title: string, result: JobCreationResult): void {
  const summary = summarize(result.run);
  console.log(title);
  console.log(`   ${runLine(summary)}`);
  console.log(`   answers: ${statuses(summary)}`);
  const unanswered = new Set(
    result.run.samples.filter((sample) => sample.status === 0).map((sample) => sample.message),
  );
  for (const message of unanswered) console.log(`   ! no answer: ${message}`);
  console.log(
    `   5xx ${summary.serverErrors} (goal 0)   429 ${summary.rateLimited}   overdrafts ${result.audit.overdrafts} (goal 0)`,
  );
  for (const problem of result.audit.problems) console.log(`   ! ${problem}`);
  if (result.callbackFailures > 0 || result.gaveUp > 0) {
    console.log(
      `   ! the stand-in's job events: ${result.callbackFailures} deliveries failed, ${result.gaveUp} jobs given up`,
    );
  }
}

/**
 * A counted pass of a job-creation scenario: Durable Object invocations by class, per job created, and per second
 * as counted (the counting tail slows the router) and at `jobsPerSecond`, the uncounted pass's rate of jobs created.
 */
export function reportObjectCalls(
  title: string,
  result: JobCreationResult,
  objectsOf: Record<string, number>,
  jobsPerSecond: number,
): void {
  const { created } = result;
  console.log(
    `${title}: ${created} jobs created; invocations until every job ended (${fixed(result.objectSeconds)} s)`,
  );
  console.log(
    `     ${'class'.padEnd(16)}${'calls'.padStart(7)}${'a job'.padStart(8)}${'/s counted'.padStart(12)}${`/s at ${fixed(jobsPerSecond)} jobs/s`.padStart(22)}   one object's share`,
  );
  for (const [className, calls] of [...result.objectCalls].sort((a, b) => b[1] - a[1])) {
    const perJob = calls / created;
    const atRate = perJob * jobsPerSecond;
    const objects = objectsOf[className];
    const share = objects ? `${fixed(atRate / objects)}/s each of ${objects}` : '';
    console.log(
      `     ${className.padEnd(16)}${String(calls).padStart(7)}${fixed(perJob, 2).padStart(8)}${fixed(calls / result.objectSeconds).padStart(12)}${fixed(atRate).padStart(22)}   ${share}`,
    );
  }
}

/** A run's CPU per request (server + client), or nothing where it could not be read. */
function cpuCell({ cpu }: FloorRun): string {
  return cpu ? `   CPU/request ${fixed(cpu.server, 0)} + ${fixed(cpu.client, 0)} µs` : '';
}

/**
 * The floor: each path's rounds, and the router's share of the bare worker's throughput, measured and as the CPU per
 * request predicts it for a machine the clients and servers share (bare's CPU per request over the path's).
 */
export function reportFloor(rounds: FloorRound[], requests: number, concurrency: number): void {
  console.log(`3. against the floor: GET /v1/models, ${requests} requests at ${concurrency} concurrent, per round`);
  console.log("   (CPU/request: the server's processes + this one's, the clients')");
  rounds.forEach((round, index) => {
    for (const path of FLOOR_PATHS) {
      const run = round[path];
      console.log(`   round ${index + 1} ${path.padEnd(30)}${runLine(run)}   ${statuses(run)}${cpuCell(run)}`);
    }
  });
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const perSecond = (path: FloorPath) => mean(rounds.map((round) => round[path].perSecond));
  const cpus = (path: FloorPath) => rounds.map(({ [path]: { cpu } }) => cpu && cpu.server + cpu.client);
  const cpu = (path: FloorPath) => (cpus(path).includes(undefined) ? undefined : mean(cpus(path) as number[]));
  const [bare, bareCpu] = [perSecond('bare Hono worker'), cpu('bare Hono worker')];
  for (const path of FLOOR_PATHS.slice(1)) {
    const goal = path === 'router, unthrottled key' ? '   (goal ≥ 0.8)' : '';
    const pathCpu = cpu(path);
    const byCpu = bareCpu && pathCpu ? `; by CPU per request ${fixed(bareCpu / pathCpu, 2)}×` : '';
    console.log(`   ${path} / bare worker, mean of rounds: ${fixed(perSecond(path) / bare, 2)}×${byCpu}${goal}`);
  }
}

export function reportObjectThroughput(results: ObjectThroughput[]): void {
  console.log('4. one object, called in a loop from a Worker in the same workerd (no HTTP, no router in front)');
  for (const { call, calls, concurrency, perSecond } of results) {
    console.log(
      `   ${call.padEnd(24)}${fixed(perSecond, 0).padStart(8)} calls/s   (${calls} calls, ${concurrency} callers)`,
    );
  }
}
