/**
 * Pins processes to CPUs for bench:router's `split` layout: the gpu-worker alone on the last CPU, everything else (the
 * client, s3rver in this process, the router's Node process and workerd) on the others, as a deployment separates a
 * GPU host from Cloudflare's edge. Linux only (`taskset`, `ps`); `undefined` where it cannot pin.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** `pid` and every process below it. */
function processTree(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((row) => row.trim().split(/\s+/).map(Number));
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of rows) if (parent === tree[i]) tree.push(child);
  return tree;
}

function pin(pids: number[], cpus: string): void {
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    } catch {
      // Gone meanwhile (a short-lived helper process): nothing to pin.
    }
  }
}

/** A function that splits the CPUs between the worker and the rest, or why it cannot. */
export function cpuSplitter(workerPid: number, otherPids: number[]): (() => string) | string {
  const cpus = availableParallelism();
  if (process.platform !== 'linux' || cpus < 2) return `needs Linux and 2 CPUs (here ${process.platform}, ${cpus})`;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return 'needs taskset (util-linux)';
  }
  return () => {
    const workerCpu = String(cpus - 1);
    const rest = cpus === 2 ? '0' : `0-${cpus - 2}`;
    const worker = processTree(workerPid);
    pin(worker, workerCpu);
    pin(
      otherPids.flatMap((pid) => processTree(pid)).filter((pid) => !worker.includes(pid)),
      rest,
    );
    return `worker on CPU ${workerCpu}; client, s3rver and router on CPU ${rest}`;
  };
}
