import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 or IPv6 address or network, held as a 32- or 128-bit integer with its prefix length. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
  prefix: number;
}

/** `text` is a valid dotted quad (isIPv4 said so): digits and dots only. Runs for every failure, hence no split. */
function parseV4(text: string): bigint {
  let value = 0;
  let part = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + part;
      part = 0;
    } else {
      part = part * 10 + (c - 48);
    }
  }
  return BigInt(value * 256 + part);
}

function parseV6(text: string): bigint {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') as [string, string] : [head, undefined];
  const leftParts = left === '' ? [] : left.split(':');
  const rightParts = right === undefined || right === '' ? [] : right.split(':');
  const zeros = right === undefined ? 0 : 8 - leftParts.length - rightParts.length;
  const words = [...leftParts, ...Array<string>(zeros).fill('0'), ...rightParts];
  let value = words.reduce((acc, w) => (acc << 16n) | BigInt(parseInt(w, 16)), 0n);
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** The prefix length of a dotted netmask (`255.255.255.0` is 24); -1 when the bits are not contiguous. */
function netmaskLength(mask: bigint): number {
  const inverted = ~mask & 0xffffffffn;
  if ((inverted & (inverted + 1n)) !== 0n) return -1;
  return 32 - inverted.toString(2).replace(/^0+/, '').length;
}

/**
 * Parses an address as inet_pton would (IPv6 may come in brackets), with an optional `/prefix`.
 * IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) become IPv4, so one client has one key. An IPv4 network
 * may give a netmask instead of the length (`/255.255.255.0`), as fail2ban's ignoreip allows.
 */
export function parseIp(text: string, prefix?: number): IpAddress | null {
  let addr = text;
  if (addr.length > 2 && addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  let plen = prefix;
  const slash = addr.indexOf('/');
  if (slash >= 0 && plen === undefined) {
    const suffix = addr.slice(slash + 1);
    addr = addr.slice(0, slash);
    if (/^\d+$/.test(suffix)) plen = Number(suffix);
    else if (isIPv4(suffix) && isIPv4(addr)) plen = netmaskLength(parseV4(suffix));
    else return null;
  }
  let ip: IpAddress;
  if (isIPv4(addr)) ip = { family: 4, value: parseV4(addr), prefix: 32 };
  else if (isIPv6(addr) && !addr.includes('%')) {
    const value = parseV6(addr);
    ip = value >> 32n === 0xffffn && plen === undefined
      ? { family: 4, value: value & 0xffffffffn, prefix: 32 }
      : { family: 6, value, prefix: 128 };
  } else return null;
  if (plen !== undefined) {
    const bits = ip.family === 4 ? 32 : 128;
    if (plen < 0 || plen > bits) return null;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - plen)) - 1n);
    ip = { ...ip, value: ip.value & mask, prefix: plen };
  }
  return ip;
}

function formatV6(value: bigint): string {
  const words = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  if (value >> 32n === 0xffffn) return `::ffff:${formatV4(value & 0xffffffffn)}`;
  let bestStart = -1; let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
}

/** Canonical text: `203.0.113.5`, `2001:db8::1`, a network as `203.0.113.0/24`. */
export function formatIp(ip: IpAddress): string {
  const full = ip.family === 4 ? 32 : 128;
  const text = ip.family === 4 ? formatV4(ip.value) : formatV6(ip.value);
  return ip.prefix < full ? `${text}/${ip.prefix}` : text;
}

/** One spelling per address (IPv4-mapped IPv6 as IPv4, as formatIp writes it); text that is no address is kept, trimmed. */
export function canonical(text: string): string {
  const parsed = parseIp(text.trim());
  return parsed ? formatIp(parsed) : text.trim();
}

/** True for a single address (not a network of several). */
export function isHost(ip: IpAddress): boolean {
  return ip.prefix === (ip.family === 4 ? 32 : 128);
}

/** True when the two share an address: one of them contains the other. */
export function networksOverlap(a: IpAddress, b: IpAddress): boolean {
  return a.prefix <= b.prefix ? ipInNetwork(b, a) : ipInNetwork(a, b);
}

/** True when `ip` lies inside `network` (same family, same leading `network.prefix` bits). */
export function ipInNetwork(ip: IpAddress, network: IpAddress): boolean {
  if (ip.family !== network.family) return false;
  const bits = BigInt(ip.family === 4 ? 32 : 128);
  const shift = bits - BigInt(network.prefix);
  return ip.value >> shift === network.value >> shift;
}
