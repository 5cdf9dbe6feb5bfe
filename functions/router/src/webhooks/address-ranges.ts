/**
 * Address ranges a webhook must never reach: the special-purpose registries (RFC 6890 and IANA's IPv4/IPv6
 * special-purpose address registries) reduced to what would let a caller probe our own network.
 */
const IPV4_BLOCKED: readonly [string, number, string][] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (RFC 2544)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** Eight 16-bit groups of an IPv6 address (with `::` expanded and a trailing dotted IPv4 folded in). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const value = ipv4ToNumber(dotted[1]);
    if (value === undefined) return undefined;
    text = `${text.slice(0, -dotted[1].length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string) => (half === '' ? [] : half.split(':'));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
}

/** Why an IPv4 address is off limits, or undefined when it is a public address. */
export function blockedIpv4(address: string): string | undefined {
  const value = ipv4ToNumber(address);
  if (value === undefined) return undefined;
  for (const [base, bits, why] of IPV4_BLOCKED) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (ipv4ToNumber(base)! & mask) >>> 0) return why;
  }
  return undefined;
}

/** The dotted IPv4 address held by two 16-bit groups. */
function embeddedIpv4(high: number, low: number): string {
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why an IPv6 address is off limits, or undefined when it is a public address. */
export function blockedIpv6(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  const [first] = groups;
  if (groups.every((group) => group === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return 'loopback';
  if ((first & 0xfe00) === 0xfc00) return 'unique-local (fc00::/7)';
  if ((first & 0xffc0) === 0xfe80) return 'link-local (fe80::/10)';
  if ((first & 0xffc0) === 0xfec0) return 'site-local (fec0::/10, RFC 3879)';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  // ::ffff:a.b.c.d (IPv4-mapped), the deprecated ::a.b.c.d (IPv4-compatible) and ::ffff:0:a.b.c.d (SIIT's
  // IPv4-translated, RFC 2765) reach the IPv4 address inside: refused, naming why that address would be.
  const zeroTo = (end: number) => groups.slice(0, end).every((group) => group === 0);
  const mapped = zeroTo(5) && (groups[5] === 0xffff || groups[5] === 0);
  const translated = zeroTo(4) && groups[4] === 0xffff && groups[5] === 0;
  if (mapped || translated) {
    return `IPv4-mapped (${blockedIpv4(embeddedIpv4(groups[6], groups[7])) ?? 'refused in any case'})`;
  }
  if (first === 0x64 && groups[1] === 0xff9b) return 'NAT64 (64:ff9b::/96)';
  // 6to4 (2002:a.b.c.d::/48, RFC 3056) and Teredo (2001:0::/32, RFC 4380: the client's address is the last 32 bits,
  // each bit inverted) carry an IPv4 address a relay would reach: refused when that address is.
  const sixToFour = first === 0x2002 ? blockedIpv4(embeddedIpv4(groups[1], groups[2])) : undefined;
  if (sixToFour) return `6to4 (2002::/16) around an address that is ${sixToFour}`;
  if (first === 0x2001 && groups[1] === 0) {
    const client = blockedIpv4(embeddedIpv4(groups[6] ^ 0xffff, groups[7] ^ 0xffff));
    const server = blockedIpv4(embeddedIpv4(groups[2], groups[3]));
    if (client ?? server) return `Teredo (2001::/32) around an address that is ${client ?? server}`;
  }
  return undefined;
}

/** Whether a URL host is an IP literal; IPv6 literals come bracketed from `URL.hostname`. */
export function ipLiteral(hostname: string): { version: 4 | 6; address: string } | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return { version: 6, address: hostname.slice(1, -1) };
  return ipv4ToNumber(hostname) === undefined ? undefined : { version: 4, address: hostname };
}
