import { StippleError } from '@stipple/core';
import { CREDITS_USAGE, creditsCommand } from './credits-command.ts';
import { GENERATE_USAGE, generateCommand } from './generate-command.ts';
import { INFO_USAGE, infoCommand } from './info-command.ts';
import { KEYS_USAGE, keysCommand } from './keys-command.ts';
import { MANIFEST_USAGE, manifestCommand } from './manifest-command.ts';
import { REMOTE_USAGE, remoteCommand } from './remote/remote-command.ts';
import { START_USAGE, startCommand } from './start-command.ts';
import { TOKENIZE_USAGE, tokenizeCommand } from './tokenize-command.ts';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  generate: generateCommand,
  tokenize: tokenizeCommand,
  info: infoCommand,
  manifest: manifestCommand,
  keys: keysCommand,
  credits: creditsCommand,
  remote: remoteCommand,
  start: startCommand,
};

const USAGE = `Usage:\n  ${[GENERATE_USAGE, TOKENIZE_USAGE, INFO_USAGE, MANIFEST_USAGE, KEYS_USAGE, CREDITS_USAGE, REMOTE_USAGE, START_USAGE].join('\n  ')}\n`;

/** Runs one CLI command and returns the exit code: 0 done, 2 bad input or model, 1 an unexpected failure. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(
      `stipple: unknown command "${command}"; use one of ${Object.keys(COMMANDS).join(', ')}\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    return await run(args);
  } catch (error) {
    if (error instanceof StippleError) {
      process.stderr.write(`stipple ${command}: ${error.message} [${error.code}]\n`);
      return 2;
    }
    // node:util parseArgs reports unknown or malformed flags with these codes.
    const code = (error as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`stipple ${command}: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`stipple ${command}: unexpected failure\n${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
