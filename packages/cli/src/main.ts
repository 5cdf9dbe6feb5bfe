import { readFileSync } from 'node:fs';
import { StippleError } from '@stipple/core';
import { asksForHelp, formatUsage } from './command-usage.ts';
import { CREDITS_ACTION_USAGE, CREDITS_USAGE, creditsCommand } from './credits-command.ts';
import { GENERATE_USAGE, generateCommand } from './generate-command.ts';
import { INFO_USAGE, infoCommand } from './info-command.ts';
import { KEYS_ACTION_USAGE, KEYS_USAGE, keysCommand } from './keys-command.ts';
import { MANIFEST_USAGE, manifestCommand } from './manifest-command.ts';
import { MODERATION_ACTION_USAGE, MODERATION_USAGE, moderationCommand } from './moderation-command.ts';
import { REMOTE_ACTION_USAGE, REMOTE_USAGE, remoteCommand } from './remote/remote-command.ts';
import { START_USAGE, startCommand } from './start-command.ts';
import { TOKENIZE_USAGE, tokenizeCommand } from './tokenize-command.ts';

/** One command: what it does, its usage, and its subcommands' own usages where it has subcommands. */
interface Command {
  run(args: string[]): Promise<number>;
  usage: string;
  actions?: Record<string, string>;
}

export const COMMANDS: Record<string, Command> = {
  generate: { run: generateCommand, usage: GENERATE_USAGE },
  tokenize: { run: tokenizeCommand, usage: TOKENIZE_USAGE },
  info: { run: infoCommand, usage: INFO_USAGE },
  manifest: { run: manifestCommand, usage: MANIFEST_USAGE },
  keys: { run: keysCommand, usage: KEYS_USAGE, actions: KEYS_ACTION_USAGE },
  credits: { run: creditsCommand, usage: CREDITS_USAGE, actions: CREDITS_ACTION_USAGE },
  moderation: { run: moderationCommand, usage: MODERATION_USAGE, actions: MODERATION_ACTION_USAGE },
  remote: { run: remoteCommand, usage: REMOTE_USAGE, actions: REMOTE_ACTION_USAGE },
  start: { run: startCommand, usage: START_USAGE },
};

/** Every command's first line: the overview `stipple-cli --help` prints. */
const OVERVIEW = `${Object.values(COMMANDS)
  .flatMap(({ usage, actions }) => (actions ? Object.values(actions) : [usage]))
  .map((usage) => usage.split('\n')[0])
  .join('\n')}
stipple-cli --version
Run "stipple-cli COMMAND --help" for a command's options.`;

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** The command line a user would type to see the usage that fits `args`, e.g. `stipple-cli keys create --help`. */
function helpFor(name: string, command: Command, args: string[]): { line: string; usage: string } {
  const action = args[0];
  const usage = action !== undefined ? command.actions?.[action] : undefined;
  return usage
    ? { line: `stipple-cli ${name} ${action} --help`, usage }
    : { line: `stipple-cli ${name} --help`, usage: command.usage };
}

/** Runs one CLI command and returns the exit code: 0 done, 2 bad input or model, 1 an unexpected failure. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const command = args[0] === undefined ? undefined : COMMANDS[args[0]];
    process.stdout.write(formatUsage(command ? helpFor(args[0], command, args.slice(1)).usage : OVERVIEW));
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`stipple-cli ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(
      `stipple-cli: unknown command "${name}"; use one of ${Object.keys(COMMANDS).join(', ')}\nRun "stipple-cli --help" for usage.\n`,
    );
    return 2;
  }
  const help = helpFor(name, command, args);
  if (asksForHelp(args)) {
    process.stdout.write(formatUsage(help.usage));
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    // StippleError: the user's input or model; node:util parseArgs' ERR_PARSE_ARGS_*: an unknown or malformed flag.
    const code = (error as { code?: string }).code;
    if (error instanceof StippleError || code?.startsWith('ERR_PARSE_ARGS')) {
      const tag = error instanceof StippleError ? ` [${error.code}]` : '';
      process.stderr.write(`stipple-cli ${name}: ${(error as Error).message}${tag}\nRun "${help.line}" for usage.\n`);
      return 2;
    }
    process.stderr.write(`stipple-cli ${name}: unexpected failure\n${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
