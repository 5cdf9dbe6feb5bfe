import { parseArgs } from 'node:util';
import { StippleError } from '@stipple/core';
import { adminRequest, adminTarget } from './admin-client.ts';
import { parseNumber, requireFlag } from './parse-number.ts';

/** Each `moderation` subcommand's usage, for `stipple-cli moderation ACTION --help`. */
export const MODERATION_ACTION_USAGE = {
  show: `stipple-cli moderation show --tenant ID [--url URL]
  Prints the tenant's content policy in force (prompts, images, end-user threshold) and which values are its own.`,
  set: `stipple-cli moderation set --tenant ID [--prompts off|flag|block] [--images off|flag|block] [--end-user-threshold N] [--url URL]
  Sets the tenant's own policy; a value of \`default\` returns that field to the deployment's (docs/SAFETY.md).`,
  'end-users': `stipple-cli moderation end-users --tenant ID [--url URL]
  Lists the tenant's end users with blocked attempts, most first, and whether each is blocked.`,
  reset: `stipple-cli moderation reset --tenant ID --end-user END_USER [--url URL]
  Forgets an end user's blocked attempts, so their client tokens work again.`,
};

export const MODERATION_USAGE = `${Object.values(MODERATION_ACTION_USAGE).join('\n')}
  The router and its admin secret are found as for stipple-cli keys (--url or $STIPPLE_URL, $STIPPLE_ADMIN_SECRET).`;

const ACTIONS = Object.keys(MODERATION_ACTION_USAGE);

/** A `set` flag's value: `default` → `null` (the deployment's), else as given (the router names a bad one). */
function policyValue<T>(value: string | undefined, read: (value: string) => T): T | null | undefined {
  if (value === undefined) return undefined;
  return value === 'default' ? null : read(value);
}

function printPolicy(policy: Record<string, unknown>): void {
  const own = policy.overrides as Record<string, unknown>;
  for (const field of ['prompts', 'images', 'end_user_block_threshold']) {
    const value = policy[field] ?? 'none';
    process.stdout.write(`${field}: ${value}${own[field] === null ? ' (deployment default)' : ''}\n`);
  }
}

/**
 * A tenant's content policy and its end users' blocked attempts on a router, as its admin (`STIPPLE_ADMIN_SECRET`):
 * `/v1/admin/tenants/{id}/moderation` and `/end-users` (docs/SAFETY.md).
 */
export async function moderationCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || !ACTIONS.includes(action)) {
    throw new StippleError('unknown_action', `moderation ${action ?? ''}: use ${ACTIONS.join(', ')}`);
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      tenant: { type: 'string' },
      prompts: { type: 'string' },
      images: { type: 'string' },
      'end-user-threshold': { type: 'string' },
      'end-user': { type: 'string' },
      url: { type: 'string' },
    },
  });
  const tenant = encodeURIComponent(requireFlag('tenant', values.tenant));
  const target = adminTarget(values.url);
  const path = `/tenants/${tenant}`;
  if (action === 'show') {
    printPolicy(await adminRequest(target, 'GET', `${path}/moderation`));
  } else if (action === 'set') {
    const change = {
      prompts: policyValue(values.prompts, (mode) => mode),
      images: policyValue(values.images, (mode) => mode),
      end_user_block_threshold: policyValue(values['end-user-threshold'], (n) => parseNumber('end-user-threshold', n)),
    };
    printPolicy(await adminRequest(target, 'PUT', `${path}/moderation`, change));
  } else if (action === 'end-users') {
    const listed = await adminRequest(target, 'GET', `${path}/end-users`);
    const users = listed.data as Record<string, unknown>[];
    if (users.length === 0) process.stderr.write(`tenant ${values.tenant} has no end users with blocked attempts\n`);
    for (const user of users) {
      const state = user.blocked ? 'blocked' : 'allowed';
      process.stdout.write(`${user.end_user}  ${user.blocked_attempts}  ${state}  ${user.last_blocked_at}\n`);
    }
  } else {
    const endUser = requireFlag('end-user', values['end-user']);
    const reset = await adminRequest(
      target,
      'DELETE',
      `${path}/end-users/${encodeURIComponent(endUser)}/blocked-attempts`,
    );
    process.stdout.write(reset.reset ? `reset end user ${endUser}\n` : `end user ${endUser} had no blocked attempts\n`);
  }
  return 0;
}
