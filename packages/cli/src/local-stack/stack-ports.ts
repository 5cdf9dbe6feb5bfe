import { join } from 'node:path';
import { StippleError } from '@stipple/core';
import { STATE_FILE_NAME } from './local-stack-state.ts';
import { freePort, portIsFree } from './loopback-port.ts';
import { describePortHolder } from './port-holder.ts';

/** The router's port must be free: the user chose it (`PORT`), so the stack does not pick another. */
export async function requireFreeRouterPort(port: number): Promise<void> {
  if (await portIsFree(port)) return;
  throw new StippleError(
    'port_in_use',
    `port ${port} on 127.0.0.1 is in use by ${describePortHolder(port)}; stop it, or set PORT to another ` +
      '(a second stack also needs its own state folder: STIPPLE_STATE_DIR=.stipple-2 PORT=8788 npm start)',
  );
}

/** A child's port kept in the state folder, and why it matters that it stays the same. */
export interface KeptPort {
  /** Its field in `local-stack.json`. */
  field: 'workerPort' | 's3Port';
  /** Who listens on it. */
  owner: string;
  /** What a new port would break. */
  breaks: string;
}

export const WORKER_PORT: KeptPort = {
  field: 'workerPort',
  owner: 'worker',
  breaks: 'jobs from an earlier run would no longer reach their worker',
};

export const S3_PORT: KeptPort = {
  field: 's3Port',
  owner: 'object store (s3rver)',
  breaks: 'output URLs from an earlier run would stop working',
};

/**
 * The port saved on an earlier start when it is free, else a free one (which the caller saves); a saved port that is
 * taken is refused, naming what holds it, rather than changed behind the user's back.
 */
export async function keptPort(saved: number | undefined, kept: KeptPort, stateDir: string): Promise<number> {
  if (saved === undefined) return freePort();
  if (await portIsFree(saved)) return saved;
  throw new StippleError(
    'port_in_use',
    `the ${kept.owner}'s port ${saved} on 127.0.0.1 is in use by ${describePortHolder(saved)}. The stack keeps ` +
      `this port across restarts (${kept.field} in ${join(stateDir, STATE_FILE_NAME)}): stop that program, or ` +
      `delete ${kept.field} from the file to take a new port (${kept.breaks})`,
  );
}
