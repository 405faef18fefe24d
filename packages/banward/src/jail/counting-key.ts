/**
 * The id a jail counts and bans a failure under: the address itself, or with `countprefix6 = N` an
 * IPv6 address's /N network, so an attacker rotating through the addresses of one /64 is counted once.
 */
import { formatIp, ipInNetwork, parseIp } from '../net/ip-address.js';

/** `2001:db8:1:2::9` with prefix 64 → `2001:db8:1:2::/64`; IPv4, non-addresses and prefix 0 are kept. */
export function countingKey(id: string, countprefix6: number): string {
  if (countprefix6 <= 0) return id;
  const ip = parseIp(id);
  if (!ip || ip.family !== 6 || ip.prefix <= countprefix6) return id;
  return formatIp(parseIp(id, countprefix6)!);
}

/** Whether a ban's id (an address or a network) covers `ip` (an address); a non-address id only itself. */
export function banCovers(banId: string, ip: string): boolean {
  if (banId === ip) return true;
  const net = parseIp(banId);
  const addr = parseIp(ip);
  return net !== null && addr !== null && ipInNetwork(addr, net);
}
