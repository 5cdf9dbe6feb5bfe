import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, dohResolver, type ResolveHost } from './webhook-url-guard.ts';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example.com': ['93.184.215.14', '10.0.0.7'],
  'metadata.example.com': ['169.254.169.254'],
  'v6.example.com': ['fd00::1'],
};
const resolveHost: ResolveHost = async (host) => dns[host] ?? [];
const production = { allowLocal: false, resolveHost, extraPorts: [8443] };

async function reason(url: string): Promise<string> {
  const check = await checkWebhookUrl(url, production);
  return check.ok ? 'allowed' : check.reason;
}

describe('checkWebhookUrl', () => {
  it('allows a public https host', async () => {
    expect(await reason('https://hooks.example.com/stipple?x=1')).toBe('allowed');
    expect(await reason('https://hooks.example.com:443/')).toBe('allowed');
    expect(await reason('https://hooks.example.com:8443/')).toBe('allowed');
    // 6to4 and Teredo around public addresses (8.8.8.8; Teredo server 65.54.227.120, client 8.8.8.8 inverted).
    expect(await reason('https://[2002:808:808::1]/')).toBe('allowed');
    expect(await reason('https://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/')).toBe('allowed');
    expect(await reason('https://[2606:4700::1111]/hook')).toBe('allowed');
    expect(await reason('https://8.8.8.8/hook')).toBe('allowed');
  });

  it.each([
    ['http://hooks.example.com/', 'uses http; use an https URL'],
    ['ftp://hooks.example.com/', 'uses ftp'],
    ['not a url', 'is not a URL'],
    ['https://user:pw@hooks.example.com/', 'carries credentials'],
    ['https://localhost/hook', 'loopback'],
    ['https://api.localhost/hook', 'loopback'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://0x7f.1/', '127.0.0.1 is loopback'],
    ['https://2130706433/', '127.0.0.1 is loopback'],
    ['https://10.1.2.3/', 'private'],
    ['https://172.31.255.255/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://100.100.0.1/', 'carrier-grade NAT'],
    ['https://0.0.0.0/', '"this network"'],
    ['https://[::1]/', 'loopback'],
    ['https://[::]/', 'unspecified'],
    ['https://[fd12:3456::1]/', 'unique-local'],
    ['https://[fe80::1]/', 'link-local'],
    ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped (loopback)'],
    ['https://[::ffff:10.0.0.1]/', 'IPv4-mapped (private'],
    ['https://rebind.example.com/', 'rebind.example.com resolves to 10.0.0.7'],
    ['https://metadata.example.com/', 'link-local'],
    ['https://v6.example.com/', 'unique-local'],
    ['https://nowhere.example.com/', 'does not resolve'],
    ['https://[::ffff:0:127.0.0.1]/', 'IPv4-mapped (loopback)'],
    ['https://[::ffff:0:a9fe:a9fe]/', 'IPv4-mapped (link-local'],
    ['https://[2002:7f00:1::]/', '6to4 (2002::/16) around an address that is loopback'],
    ['https://[2002:a9fe:a9fe::1]/', '6to4 (2002::/16) around an address that is link-local'],
    // Teredo: the client address 10.0.0.1, each bit inverted (f5ff:fffe), in the last 32 bits.
    ['https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/', 'Teredo (2001::/32) around an address that is private'],
    ['https://[fec0::1]/', 'site-local (fec0::/10'],
    ['https://hooks.example.com:22/', 'uses port 22; use 443, 8443 (WEBHOOK_ALLOWED_PORTS)'],
    ['https://8.8.8.8:6379/', 'uses port 6379'],
  ])('refuses %s', async (url, expected) => {
    expect(await reason(url)).toContain(expected);
  });

  it('allows http and loopback under the local-development flag only', async () => {
    expect((await checkWebhookUrl('http://127.0.0.1:9999/hook', { ...production, allowLocal: true })).ok).toBe(true);
    expect((await checkWebhookUrl('http://127.0.0.1:9999/hook', production)).ok).toBe(false);
  });

  it('reports a resolver failure as a refusal, not a crash', async () => {
    const failing = { allowLocal: false, resolveHost: () => Promise.reject(new Error('timeout')), extraPorts: [] };
    const check = await checkWebhookUrl('https://hooks.example.com/', failing);
    expect(check).toEqual({
      ok: false,
      reason: 'webhook host hooks.example.com could not be resolved (timeout); try again or use another URL',
    });
  });
});

describe('dohResolver', () => {
  it('asks for A and AAAA records as dns-json and keeps only addresses', async () => {
    const asked: string[] = [];
    const fakeDoh = (async (url: string, init?: RequestInit) => {
      asked.push(`${url} ${new Headers(init?.headers).get('accept')}`);
      const type = new URL(url).searchParams.get('type');
      const answer =
        type === 'A'
          ? [
              { type: 5, data: 'edge.example.net.' },
              { type: 1, data: '93.184.215.14' },
            ]
          : [{ type: 28, data: '2606:2800::1' }];
      return Response.json({ Status: 0, Answer: answer });
    }) as typeof fetch;
    expect(await dohResolver(fakeDoh)('hooks.example.com')).toEqual(['93.184.215.14', '2606:2800::1']);
    expect(asked).toEqual([
      'https://cloudflare-dns.com/dns-query?name=hooks.example.com&type=A application/dns-json',
      'https://cloudflare-dns.com/dns-query?name=hooks.example.com&type=AAAA application/dns-json',
    ]);
  });
});
