import { StippleError } from '@stipple/core';
import { ChildCrashError, startLocalStack } from './local-stack/local-stack.ts';
import { stateDirectory } from './local-stack/local-stack-state.ts';

export const START_USAGE = 'stipple-cli start  (the local stack; PORT, STIPPLE_STATE_DIR, DEV_API_KEY)';

/** The router's port when `PORT` is unset: wrangler dev's. */
const DEFAULT_PORT = 8787;

function portFrom(env: NodeJS.ProcessEnv): number {
  const port = Number(env.PORT || DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StippleError('invalid_port', `PORT is "${env.PORT}"; use an integer from 1 to 65535`);
  }
  return port;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm start` (= `stipple-cli start`): the whole service on this machine, no accounts, no downloads. Prints the router's
 * URL and a development key, then the children's logs, each line prefixed by its component, until Ctrl-C or SIGTERM
 * (exit 0) or until the router dies or the worker cannot be restarted (its name, exit status and last lines; exit 1).
 */
export async function startCommand(args: string[]): Promise<number> {
  if (args.length > 0) throw new StippleError('unknown_argument', `start takes no arguments; got ${args.join(' ')}`);
  const startedAt = performance.now();
  const stateDir = stateDirectory();
  // A signal that arrives while the stack is starting stops it once it has started. Later ones are ignored while it
  // stops: Ctrl-C under `npm start` arrives twice (from the terminal, and forwarded by npm), and stopping is bounded.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGINT', () => resolve('SIGINT'));
    process.on('SIGTERM', () => resolve('SIGTERM'));
  });
  say(`[stack] starting the local stack (state in ${stateDir}, pid ${process.pid})`);
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      port: portFrom(process.env),
      stateDir,
      devApiKey: process.env.DEV_API_KEY || undefined,
      log: say,
    });
  } catch (error) {
    if (error instanceof ChildCrashError) {
      process.stderr.write(`[stack] ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const { url, devKey, credits } = stack;
  say(
    [
      '',
      `Stipple is ready in ${seconds} s`,
      `  API          ${url}  (reference: ${url}/docs)`,
      `  Playground   ${url}/#key=${devKey.key}`,
      `  API key      ${devKey.key}  (tenant ${devKey.tenant}, ${credits} credits)`,
      `  Admin        npx stipple-cli keys list --tenant ${devKey.tenant}  (uses the secret in ${stateDir})`,
      '',
      `  curl ${url}/v1/jobs -H "Authorization: Bearer ${devKey.key}" -H "Content-Type: application/json" \\`,
      `    -H "Prefer: wait=30" -d '{"prompt":"a red circle on a blue background"}'`,
      '',
      'Ctrl-C stops it; keys, credits, jobs and images stay in the state folder for the next start.',
      '',
    ].join('\n'),
  );
  const outcome = await Promise.race([signalled, stack.crashed]);
  if (typeof outcome === 'string') {
    say(`[stack] ${outcome}: stopping`);
    await stack.stop();
    say('[stack] stopped');
    return 0;
  }
  process.stderr.write(`[stack] ${new ChildCrashError(outcome).message}\n[stack] stopping the rest\n`);
  await stack.stop();
  return 1;
}
