import { StippleError } from '@stipple/core';
import { REMOTE_GENERATE_USAGE, remoteGenerateCommand } from './remote-generate-command.ts';
import { REMOTE_JOBS_USAGE, remoteJobsCommand } from './remote-jobs-command.ts';

/** Each `remote` subcommand's usage, for `stipple-cli remote ACTION --help`. */
export const REMOTE_ACTION_USAGE = { generate: REMOTE_GENERATE_USAGE, jobs: REMOTE_JOBS_USAGE };

export const REMOTE_USAGE = `${REMOTE_GENERATE_USAGE}\n${REMOTE_JOBS_USAGE}`;

const ACTIONS: Record<string, (args: string[]) => Promise<number>> = {
  generate: remoteGenerateCommand,
  jobs: remoteJobsCommand,
};

/** `stipple-cli remote generate|jobs`: the same work as the local commands, done by a Stipple router over its API. */
export async function remoteCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const run = action === undefined ? undefined : ACTIONS[action];
  if (!run) throw new StippleError('unknown_action', `remote ${action ?? ''}: use generate or jobs`);
  return run(rest);
}
