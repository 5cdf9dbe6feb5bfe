import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: `npm start` and the CLI find the same state folder wherever they are run from. */
const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../../..');
/** The file in the state folder that holds the local stack's secrets, its URL and its development key. */
export const STATE_FILE_NAME = 'local-stack.json';

/** What the local stack remembers between runs (`.stipple/local-stack.json`, readable by its owner only). */
export interface LocalStackState {
  /** The router's `ADMIN_SECRET`: `stipple-cli keys …` and `stipple-cli credits …` use it when `STIPPLE_ADMIN_SECRET` is unset. */
  adminSecret: string;
  /** The `WORKER_SECRET` shared by the router and the gpu-worker. */
  workerSecret: string;
  /** The router's `TOKEN_SIGNING_SECRET`, so client tokens work locally too. */
  tokenSigningSecret: string;
  /** The router's URL on the last start, e.g. `http://127.0.0.1:8787`. */
  url?: string;
  /**
   * The worker's loopback port, chosen on the first start and kept: after a restart the router's saved jobs still
   * reach their worker.
   */
  workerPort?: number;
  /** The object store's loopback port, chosen on the first start and kept: output URLs outlive a restart. */
  s3Port?: number;
  /** The development key: its id, the key itself (a local secret, kept so it can be printed again) and its tenant. */
  devKey?: { id: string; key: string; tenant: string };
}

/** `STIPPLE_STATE_DIR`, else `.stipple/` at the repository root. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STIPPLE_STATE_DIR || join(REPOSITORY_ROOT, '.stipple'));
}

/** The saved state, or undefined when the local stack has never run with this folder. */
export function readLocalStackState(directory: string): LocalStackState | undefined {
  let text: string;
  try {
    text = readFileSync(join(directory, STATE_FILE_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as LocalStackState;
}

/** Writes the state whole (a temporary file renamed over the old one), readable by its owner only. */
export function writeLocalStackState(directory: string, state: LocalStackState): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, STATE_FILE_NAME);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

const newSecret = () => randomBytes(32).toString('base64url');

/** The saved state, or a new one with fresh secrets (saved at once, so a crash cannot lose them). */
export function loadOrCreateState(directory: string): LocalStackState {
  const saved = readLocalStackState(directory);
  if (saved) return saved;
  const created = { adminSecret: newSecret(), workerSecret: newSecret(), tokenSigningSecret: newSecret() };
  writeLocalStackState(directory, created);
  return created;
}
