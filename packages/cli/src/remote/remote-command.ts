import { StippleError } from '@stipple/core';
import { REMOTE_GENERATE_USAGE, remoteGenerateCommand } from './remote-generate-command.ts';
import { REMOTE_JOBS_USAGE, remoteJobsCommand } from './remote-jobs-command.ts';

/** Usage lines as main.ts prints them: each synopsis after the first indented like the first, under "Usage:". */
const asUsage = (text: string) => text.replaceAll(/\n(?=stipple )/g, '\n  ');

export const REMOTE_USAGE = asUsage(`${REMOTE_GENERATE_USAGE}\n${REMOTE_JOBS_USAGE}`);

const ACTIONS: Record<string, (args: string[]) => Promise<number>> = {
  generate: remoteGenerateCommand,
  jobs: remoteJobsCommand,
};

/** `stipple remote generate|jobs`: the same work as the local commands, done by a Stipple router over its API. */
export async function remoteCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (
    action === undefined ||
    action === '--help' ||
    action === '-h' ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    const usage = action === 'generate' ? REMOTE_GENERATE_USAGE : action === 'jobs' ? REMOTE_JOBS_USAGE : REMOTE_USAGE;
    process.stdout.write(`Usage:\n  ${asUsage(usage)}\n`);
    return 0;
  }
  const run = ACTIONS[action];
  if (!run) throw new StippleError('unknown_action', `remote ${action}: use generate or jobs (or --help)`);
  return run(rest);
}
