import { parseArgs } from 'node:util';
import { StippleError } from '@stipple/core';
import { adminRequest, adminTarget } from './admin-client.ts';
import { parseNumber, requireFlag } from './parse-number.ts';

export const CREDITS_USAGE = 'stipple credits grant --tenant ID --credits N [--url URL]';

/** Grants credits to a tenant on a router, as its admin (`STIPPLE_ADMIN_SECRET`); prints the new balance. */
export async function creditsCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: { tenant: { type: 'string' }, credits: { type: 'string' }, url: { type: 'string' } },
  });
  if (action !== 'grant') throw new StippleError('unknown_action', `credits ${action ?? ''}: use grant`);
  const tenant = encodeURIComponent(requireFlag('tenant', values.tenant));
  const credits = parseNumber('credits', requireFlag('credits', values.credits));
  const granted = await adminRequest(adminTarget(values.url), 'POST', `/tenants/${tenant}/credits`, { credits });
  process.stdout.write(`${granted.credits_remaining}\n`);
  return 0;
}
