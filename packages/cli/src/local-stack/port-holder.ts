import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process listening on a port: its id and its command line. */
export interface PortHolder {
  pid: number;
  command: string;
}

/** The socket inodes listening on `port`, from /proc/net/tcp and tcp6 (proc(5): local_address hex, st 0A = LISTEN). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      if (Number.parseInt(fields[1].split(':').at(-1) ?? '', 16) === port) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * Which process listens on 127.0.0.1:`port`, as far as this user may see (Linux's /proc); undefined where it cannot
 * tell (another OS, another user's process).
 */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}

/** "pid 123 (node server.js)", or "another program" where the holder cannot be seen. */
export function describePortHolder(port: number): string {
  const holder = portHolder(port);
  if (!holder) return 'another program';
  const command = holder.command.length > 80 ? `${holder.command.slice(0, 79)}…` : holder.command;
  return `pid ${holder.pid} (${command})`;
}
