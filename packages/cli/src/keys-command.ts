import { parseArgs } from 'node:util';
import { StippleError } from '@stipple/core';
import { adminRequest, adminTarget } from './admin-client.ts';
import { parseNumber, requireFlag } from './parse-number.ts';

/** Each `keys` subcommand's usage, for `stipple-cli keys ACTION --help`. */
export const KEYS_ACTION_USAGE = {
  create: `stipple-cli keys create --tenant ID [--mode live|test] [--scopes generate,read] [--credits N] [--region R] [--url URL]
  Creates an API key for the tenant (test keys by default, scopes generate and read), and grants it --credits N.
  --region: where a new tenant's users are (wnam enam sam weur eeur apac oc afr me), so its account is placed near them.
  What was made goes to stderr, the key alone to the last line of stdout: KEY=$(stipple-cli keys create --tenant acme | tail -1)`,
  list: `stipple-cli keys list --tenant ID [--url URL]
  Lists the tenant's keys: id, hint, mode, scopes, and whether revoked.`,
  revoke: `stipple-cli keys revoke --tenant ID --key KEY_ID [--url URL]
  Revokes one key (KEY_ID as \`keys list\` prints it); requests with it are refused at once.`,
};

export const KEYS_USAGE = `${Object.values(KEYS_ACTION_USAGE).join('\n')}
  The router: --url, else $STIPPLE_URL, else the local stack's; as its admin: $STIPPLE_ADMIN_SECRET (the local stack's
  own secret when the target is the local stack).`;

/**
 * API keys on a router (the local stack's by default; `--url` or `STIPPLE_URL` for another), as its admin
 * (`STIPPLE_ADMIN_SECRET`). `create` prints what it made on stderr and the new key alone on the last line of stdout,
 * so `KEY=$(stipple-cli keys create --tenant acme | tail -1)` works.
 */
export async function keysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      tenant: { type: 'string' },
      mode: { type: 'string' },
      scopes: { type: 'string' },
      credits: { type: 'string' },
      region: { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string' },
    },
  });
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    throw new StippleError('unknown_action', `keys ${action ?? ''}: use create, list or revoke`);
  }
  const tenant = encodeURIComponent(requireFlag('tenant', values.tenant));
  const target = adminTarget(values.url);
  switch (action) {
    case 'create': {
      const credits = parseNumber('credits', values.credits);
      const created = await adminRequest(target, 'POST', `/tenants/${tenant}/keys`, {
        ...(values.mode && { mode: values.mode }),
        ...(values.scopes && { scopes: values.scopes.split(',').map((scope) => scope.trim()) }),
        ...(values.region && { region: values.region }),
      });
      if (credits !== undefined) await adminRequest(target, 'POST', `/tenants/${tenant}/credits`, { credits });
      process.stderr.write(
        `created ${created.id} (${created.mode}, scopes ${(created.scopes as string[]).join(', ')}) for tenant ${values.tenant}` +
          `${credits === undefined ? '' : ` with ${credits} credits`}; the key is shown once:\n`,
      );
      process.stdout.write(`${created.key}\n`);
      return 0;
    }
    case 'list': {
      const listed = await adminRequest(target, 'GET', `/tenants/${tenant}/keys`);
      if ((listed.data as unknown[]).length === 0) process.stderr.write(`tenant ${values.tenant} has no keys\n`);
      for (const key of listed.data as Record<string, unknown>[]) {
        const state = key.revoked_at ? `revoked ${key.revoked_at}` : 'active';
        process.stdout.write(`${key.id}  ${key.hint}  ${key.mode}  ${(key.scopes as string[]).join(',')}  ${state}\n`);
      }
      return 0;
    }
    case 'revoke': {
      const key = requireFlag('key', values.key);
      await adminRequest(target, 'DELETE', `/tenants/${tenant}/keys/${encodeURIComponent(key)}`);
      process.stdout.write(`revoked ${key}\n`);
      return 0;
    }
  }
}
