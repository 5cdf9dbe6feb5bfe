/**
 * What wrangler prints when the Cloudflare account has no workers.dev subdomain yet (a new account): it asks
 * "Would you like to register a workers.dev subdomain now?", and with no terminal (as under `sst deploy`) the answer
 * is no and the deploy throws (wrangler 4, `getWorkersDevSubdomain`).
 */
const NO_SUBDOMAIN = 'You need to register a workers.dev subdomain before publishing to workers.dev';

/** The account's onboarding page, which wrangler names in the same failure. */
const ONBOARDING_URL = /https:\/\/dash\.cloudflare\.com\/[^\s/]+\/workers\/onboarding/;

/**
 * The step to take when `wrangler deploy`'s output says the account has no workers.dev subdomain, else undefined.
 * docs/DEPLOY.md, "Prerequisites", says the same.
 */
export function missingSubdomainAdvice(wranglerOutput: string): string | undefined {
  if (!wranglerOutput.includes(NO_SUBDOMAIN)) return undefined;
  const page = wranglerOutput.match(ONBOARDING_URL)?.[0] ?? 'https://dash.cloudflare.com/ (Workers & Pages)';
  return [
    'The Cloudflare account has no workers.dev subdomain yet, and wrangler cannot ask for one without a terminal.',
    `Choose one once in the Cloudflare dashboard (${page}), then run \`sst deploy\` again.`,
  ].join('\n');
}
