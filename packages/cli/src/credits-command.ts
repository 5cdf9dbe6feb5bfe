import { parseArgs } from 'node:util';
import { StippleError } from '@stipple/core';
import { adminRequest, adminTarget } from './admin-client.ts';
import { parseNumber, requireFlag } from './parse-number.ts';

/** Each `credits` subcommand's usage, for `stipple-cli credits ACTION --help`. */
export const CREDITS_ACTION_USAGE = {
  grant: `stipple-cli credits grant --tenant ID --credits N [--url URL]
  Adds N credits to the tenant's balance and prints the new balance. The router and its admin secret are found as for
  stipple-cli keys (--url or $STIPPLE_URL, $STIPPLE_ADMIN_SECRET; the local stack needs neither).`,
};

export const CREDITS_USAGE = CREDITS_ACTION_USAGE.grant;

/** Grants credits to a tenant on a router, as its admin (`STIPPLE_ADMIN_SECRET`); prints the new balance. */
export async function creditsCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'grant') throw new StippleError('unknown_action', `credits ${action ?? ''}: use grant`);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: { tenant: { type: 'string' }, credits: { type: 'string' }, url: { type: 'string' } },
  });
  const tenant = encodeURIComponent(requireFlag('tenant', values.tenant));
  const credits = parseNumber('credits', requireFlag('credits', values.credits));
  const granted = await adminRequest(adminTarget(values.url), 'POST', `/tenants/${tenant}/credits`, { credits });
  process.stdout.write(
    `granted ${credits} credits to tenant ${values.tenant}; its balance is now ${granted.credits_remaining}\n`,
  );
  return 0;
}
