/**
 * What a ban covers. The id a jail counts and bans a failure under: the address itself, or with
 * `countprefix6 = N` an IPv6 address's /N network, so an attacker rotating through the addresses of one
 * /64 is counted once. Which bans cover an address. And which targets may never be banned: any that
 * shares an address with the ignore list or the host's own addresses.
 */
import type { BanRecord, BanStore } from '../decision/ban-store.js';
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

/**
 * Why a ban of `id` (an address or a network) must not happen, in words for the log and the error: what
 * of the ignore list it shares an address with. Null when it may be banned; an id that is no address may.
 */
export function banRefusal(ignore: { matchStatic(ip: string): { ignored: boolean; source?: string } }, id: string): string | null {
  if (parseIp(id) === null) return null;
  const hit = ignore.matchStatic(id);
  if (!hit.ignored) return null;
  if (hit.source === 'ignoreself rule') return "this host's own addresses (ignoreself)";
  return `ignoreip${hit.source?.startsWith('file:') ? ` ${hit.source}` : ''}`;
}

/** The jail's active ban that covers address `id` (canonical): its own, its counting key's, or a network's it lies in. */
export function coveringBan(store: Pick<BanStore, 'getBan' | 'activeBans'>, jail: string, id: string, key: string): BanRecord | undefined {
  return store.getBan(jail, id) ?? store.getBan(jail, key)
    ?? (parseIp(id) ? store.activeBans(jail).find((b) => b.ip.includes('/') && banCovers(b.ip, id)) : undefined);
}
