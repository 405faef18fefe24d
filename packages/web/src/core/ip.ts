import { isIP, isIPv4 } from 'node:net';

/**
 * Normalises an address for keying and logging: drops an IPv6 zone, turns IPv4-mapped IPv6 (`::ffff:1.2.3.4`,
 * also in hex) into plain IPv4, and writes IPv6 in its canonical compressed form. Returns null for anything
 * that is not an IP address, so a malformed header can never become a key.
 */
export function normalizeIp(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const addr = raw.trim().replace(/%.*$/, '');
  const family = isIP(addr);
  if (family === 4) return addr;
  if (family !== 6) return null;
  const bytes = ipv6Bytes(addr);
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join('.');
  }
  return formatIpv6(bytes);
}

/**
 * The key a client is counted under. IPv4 keys are the address; IPv6 keys are the network of `prefix` bits
 * (`2001:db8:1:2::/64`), because one IPv6 client usually holds a whole /64 and would otherwise rotate through it.
 */
export function ipKey(ip: string, prefix: number): string {
  if (isIPv4(ip) || prefix >= 128) return ip;
  return `${formatIpv6(masked(ipv6Bytes(ip), prefix))}/${prefix}`;
}

interface Range {
  bytes: number[];
  prefix: number;
}

/** An address (a range of one) or a CIDR such as `2001:db8:1:2::/64`; null for anything else. */
function rangeOf(text: string): Range | null {
  const slash = text.indexOf('/');
  const ip = normalizeIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === null) return null;
  const bytes = isIPv4(ip) ? ip.split('.').map(Number) : ipv6Bytes(ip);
  if (slash < 0) return { bytes, prefix: bytes.length * 8 };
  const prefix = text.slice(slash + 1);
  // A mapped IPv6 CIDR (`::ffff:1.2.3.0/120`) has become IPv4 above, and its prefix no longer fits: refused.
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bytes.length * 8) return null;
  return { bytes: masked(bytes, Number(prefix)), prefix: Number(prefix) };
}

/**
 * The canonical text of an address or CIDR, as the daemon's ban list may hold either: `2001:db8:1:2::/64`
 * (host bits cleared), and a full-length CIDR written as the plain address. Null for anything else.
 */
export function normalizeRange(text: string): string | null {
  const range = rangeOf(text.trim());
  if (range === null) return null;
  const ip = range.bytes.length === 4 ? range.bytes.join('.') : formatIpv6(range.bytes);
  return range.prefix === range.bytes.length * 8 ? ip : `${ip}/${range.prefix}`;
}

/** Whether two addresses or CIDRs share an address (the shorter prefix holds the other's network). */
export function rangesOverlap(a: string, b: string): boolean {
  const ra = rangeOf(a);
  const rb = rangeOf(b);
  if (ra === null || rb === null || ra.bytes.length !== rb.bytes.length) return false;
  const bits = Math.min(ra.prefix, rb.prefix);
  const other = masked(rb.bytes, bits);
  return masked(ra.bytes, bits).every((byte, i) => byte === other[i]);
}

function masked(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((byte, i) => byte & (0xff << Math.min(8, Math.max(0, 8 - (prefix - i * 8)))) & 0xff);
}

function ipv6Bytes(addr: string): number[] {
  // A trailing dotted quad (`::ffff:1.2.3.4`) becomes two hex groups, so one parser serves both spellings.
  const text = addr.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
