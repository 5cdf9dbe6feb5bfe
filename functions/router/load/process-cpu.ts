/**
 * CPU time of processes, read from Linux's `/proc`, for scenario 3 of `npm run load`: on a machine the clients and
 * servers share, a path's throughput swings with whatever else is scheduled, while the CPU it costs a request moves
 * far less. Off Linux every reading is `undefined` and the scenario prints throughput alone.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second, the unit of `/proc/<pid>/stat`'s CPU times (100 on every common kernel). */
let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** A process's `stat` fields after its name: [state, ppid, …]; `undefined` once it is gone (or off Linux). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name, in parentheses, may hold spaces and parentheses itself: the fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User and system CPU time `pid` has used so far, ms; `undefined` when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // utime and stime are stat's 14th and 15th fields, the 12th and 13th after the name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

/** The pids of `parent`'s child processes whose executable's name is `name` (none off Linux). */
export function childProcesses(parent: number, name: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return entries.map(Number).filter((pid) => {
    try {
      return statFields(pid)?.[1] === String(parent) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
    } catch {
      return false;
    }
  });
}

/** The CPU each role's processes used together so far, ms; `undefined` when one cannot be read. */
function cpuByRole<Role extends string>(processes: Record<Role, number[]>): Record<Role, number> | undefined {
  const used = {} as Record<Role, number>;
  for (const role of Object.keys(processes) as Role[]) {
    const times = processes[role].map(processCpuMs);
    if (times.length === 0 || times.includes(undefined)) return undefined;
    used[role] = (times as number[]).reduce((sum, time) => sum + time, 0);
  }
  return used;
}

/**
 * Runs `body` (`requests` requests) and says what CPU each role's processes spent on it, µs per request; `cpu` is
 * `undefined` when some process could not be read.
 */
export async function withCpuPerRequest<Role extends string, T>(
  processes: Record<Role, number[]>,
  requests: number,
  body: () => Promise<T>,
): Promise<{ result: T; cpu?: Record<Role, number> }> {
  const before = cpuByRole(processes);
  const result = await body();
  const after = cpuByRole(processes);
  if (!before || !after) return { result };
  const cpu = {} as Record<Role, number>;
  for (const role of Object.keys(processes) as Role[]) cpu[role] = ((after[role] - before[role]) * 1000) / requests;
  return { result, cpu };
}
