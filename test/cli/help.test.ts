import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../packages/cli/src/main.ts';
import { stipple } from './run-stipple.ts';

const commandLines: string[][] = Object.entries(COMMANDS).flatMap(([name, { actions }]) => [
  [name],
  ...Object.keys(actions ?? {}).map((action) => [name, action]),
]);
const VERSION = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../packages/cli/package.json'), 'utf8'),
).version;

describe('stipple --help', () => {
  it.each(commandLines.map((words) => [words.join(' '), words]))(
    'answers "stipple %s --help" with its own usage and exit 0',
    async (_, words) => {
      for (const flag of ['--help', '-h']) {
        const result = await stipple({}, ...words, flag);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(new RegExp(`^Usage:\\n {2}stipple-cli ${words.join(' ')}( |\\n)`));
      }
    },
  );

  it('gives a subcommand its own usage, not its siblings', async () => {
    const create = await stipple({}, 'keys', 'create', '--help');
    expect(create.stdout).toContain('--credits N');
    expect(create.stdout).not.toContain('stipple-cli keys revoke');
  });

  it('lists every command and subcommand, and prints the version', async () => {
    const overview = await stipple({}, '--help');
    expect(overview.code).toBe(0);
    for (const words of commandLines.filter((line) => !COMMANDS[line[0]].actions || line.length === 2)) {
      expect(overview.stdout).toContain(`stipple-cli ${words.join(' ')}`);
    }
    expect(await stipple({}, '--version')).toEqual({ code: 0, stdout: `stipple-cli ${VERSION}\n`, stderr: '' });
  });

  it('answers a mistake with one line and where to find the usage, exit 2', async () => {
    const unknownFlag = await stipple({}, 'generate', '--promt', 'a cat');
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(
      /^stipple-cli generate: Unknown option '--promt'.*\nRun "stipple-cli generate --help" for usage\.\n$/,
    );
    const missing = await stipple({}, 'keys', 'create');
    expect(missing.stderr).toBe(
      'stipple-cli keys: --tenant is required [missing_flag]\nRun "stipple-cli keys create --help" for usage.\n',
    );
    const unknownAction = await stipple({}, 'keys');
    expect(unknownAction.stderr).toMatch(/^stipple-cli keys: keys : use create, list or revoke/);
    const unknownCommand = await stipple({}, 'genrate');
    expect(unknownCommand).toMatchObject({ code: 2, stdout: '' });
    expect(unknownCommand.stderr.trim().split('\n')).toHaveLength(2);
  });
});
