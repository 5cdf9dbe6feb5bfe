import { blockedIpv4, blockedIpv6, ipLiteral } from './address-ranges.ts';

/** Resolves a host name to its IPv4 and IPv6 addresses. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export interface WebhookUrlPolicy {
  /** Local development only: allow http and loopback/private hosts (for a receiver on this machine). */
  allowLocal: boolean;
  resolveHost: ResolveHost;
  /** Ports a webhook may use besides https's 443 (`WEBHOOK_ALLOWED_PORTS`); none by default. */
  extraPorts: readonly number[];
}

/** The port a webhook URL reaches unless it names another: https's. */
const DEFAULT_WEBHOOK_PORT = 443;

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * The SSRF guard for webhook URLs: https only, and a host that neither is nor resolves to loopback, private,
 * link-local, CGNAT, unique-local or IPv4-mapped addresses. WHATWG URL parsing has already normalised the tricks
 * (`0x7f.1`, `2130706433`, `[::ffff:127.0.0.1]`) to canonical literals by the time the host is checked. Only port 443
 * and `extraPorts`. Delivery re-checks right before each attempt's `fetch`, because DNS answers can change
 * (rebinding); Workers' `fetch` resolves on its own, so a window of one lookup remains (docs/router.md, "Security").
 * Input images fetched by URL pass the same guard; `subject` names the URL's use in the messages.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: WebhookUrlPolicy,
  subject = 'webhook',
): Promise<WebhookUrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${subject} URL ${JSON.stringify(raw)} is not a URL` };
  }
  const allowedProtocols = policy.allowLocal ? ['https:', 'http:'] : ['https:'];
  if (!allowedProtocols.includes(url.protocol)) {
    return { ok: false, reason: `${subject} URL ${raw} uses ${url.protocol.slice(0, -1)}; use an https URL` };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      reason: `${subject} URL ${url.host} carries credentials; put secrets in the path or verify our signature`,
    };
  }
  if (policy.allowLocal) return { ok: true, url };
  const port = url.port === '' ? DEFAULT_WEBHOOK_PORT : Number(url.port);
  if (port !== DEFAULT_WEBHOOK_PORT && !policy.extraPorts.includes(port)) {
    const allowed = [DEFAULT_WEBHOOK_PORT, ...policy.extraPorts].join(', ');
    return {
      ok: false,
      reason: `${subject} URL ${url.host} uses port ${port}; use ${allowed} (WEBHOOK_ALLOWED_PORTS)`,
    };
  }
  const host = url.hostname;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { ok: false, reason: `${subject} host ${host} is loopback; use a public https URL` };
  }
  const literal = ipLiteral(host);
  const addresses = literal ? [literal.address] : await resolved(policy, host, subject);
  if (typeof addresses === 'string') return { ok: false, reason: addresses };
  for (const address of addresses) {
    const why = address.includes(':') ? blockedIpv6(address) : blockedIpv4(address);
    if (why) {
      const via = literal ? '' : ` (${host} resolves to ${address})`;
      return {
        ok: false,
        reason: `${subject} host ${literal ? address : host} is ${why}${via}; use a public https URL`,
      };
    }
  }
  return { ok: true, url };
}

async function resolved(policy: WebhookUrlPolicy, host: string, subject: string): Promise<string[] | string> {
  try {
    const addresses = await policy.resolveHost(host);
    return addresses.length > 0 ? addresses : `${subject} host ${host} does not resolve; use a public https URL`;
  } catch (error) {
    return `${subject} host ${host} could not be resolved (${(error as Error).message}); try again or use another URL`;
  }
}

/**
 * DNS over HTTPS (RFC 8484's JSON flavour as Cloudflare's resolver serves it): Workers have no socket-level resolver,
 * so the guard asks 1.1.1.1 for A and AAAA records over fetch.
 */
export function dohResolver(
  fetchImpl: typeof fetch = fetch,
  endpoint = 'https://cloudflare-dns.com/dns-query',
): ResolveHost {
  return async (hostname) => {
    const answers = await Promise.all(
      ['A', 'AAAA'].map(async (type) => {
        const url = `${endpoint}?name=${encodeURIComponent(hostname)}&type=${type}`;
        const response = await fetchImpl(url, { headers: { accept: 'application/dns-json' } });
        if (!response.ok) throw new Error(`DNS over HTTPS answered ${response.status}`);
        const body = (await response.json()) as { Answer?: { type: number; data: string }[] };
        // Record types 1 (A) and 28 (AAAA); CNAME hops (5) come before them in the answer and are skipped.
        return (body.Answer ?? [])
          .filter((answer) => answer.type === 1 || answer.type === 28)
          .map((answer) => answer.data);
      }),
    );
    return answers.flat();
  };
}
