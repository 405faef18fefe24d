import { formatIp, parseIp, type IpAddress } from '../../net/ip-address.js';

/** What an action needs of a ban to enforce it. */
export interface BanTime {
  ip: string;
  /** Epoch seconds. */
  time: number;
  /** Seconds; negative for ever. */
  bantime: number;
}

/** A set element: an address or network, and when the firewall should drop it (null: never). */
export interface SetElement {
  family: 4 | 6;
  /** Canonical text, the same the firewall lists: `203.0.113.5`, `2001:db8::/64`. */
  key: string;
  net: IpAddress;
  expires: number | null;
}

/** What the firewall holds: element text by family, with its expiry (null: no timeout). */
export type Applied = Map<string, AppliedElement>;
export interface AppliedElement {
  family: 4 | 6;
  expires: number | null;
}

export function elementKey(net: IpAddress): string {
  const bits = net.family === 4 ? 32 : 128;
  const base = formatIp({ ...net, prefix: bits });
  return net.prefix < bits ? `${base}/${net.prefix}` : base;
}

/** The element that enforces a ban: the address, or its IPv6 network with `ipv6prefix`. Null if not an address. */
export function banElement(ip: string, ipv6prefix: number | null): IpAddress | null {
  const net = parseIp(ip);
  if (!net) return null;
  if (net.family === 6 && ipv6prefix !== null && net.prefix > ipv6prefix) return parseIp(elementKey(net).replace(/\/\d+$/, ''), ipv6prefix);
  return net;
}

export interface ElementOptions {
  ipv6prefix: number | null;
  /** Expiries beyond this many seconds become "no timeout" (the daemon lifts them). */
  maxTimeout: number;
}

/** The element one ban needs at `now`, or null when it is not an address or its time is up. */
export function elementOf(ban: BanTime, now: number, options: ElementOptions): SetElement | null {
  const net = banElement(ban.ip, options.ipv6prefix);
  if (!net) return null;
  const expires = ban.bantime < 0 ? null : ban.time + ban.bantime;
  if (expires !== null && expires <= now) return null;
  return { family: net.family, key: elementKey(net), net, expires: expires !== null && expires - now > options.maxTimeout ? null : expires };
}

function later(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(a, b);
}

/**
 * The elements the firewall should hold for these bans at `now`. Sets of networks refuse overlapping
 * elements, so a ban inside a banned network is folded into it, and the network then lasts as long as
 * the longest ban it covers: the firewall never lifts a ban the store still holds. Bans whose time is up
 * are left out, and expiries beyond `maxTimeout` seconds become "no timeout" (the daemon lifts them).
 */
export function desiredElements(bans: Iterable<BanTime>, now: number, options: ElementOptions): Map<string, SetElement> {
  const all: SetElement[] = [];
  for (const ban of bans) {
    const e = elementOf(ban, now, options);
    if (e) all.push(e);
  }
  all.sort((a, b) => a.net.prefix - b.net.prefix);
  const kept = new Map<string, SetElement>();
  // Kept networks by family and prefix length, keyed by their leading bits, to find a covering one fast.
  const byPrefix = new Map<string, Map<bigint, SetElement>>();
  for (const e of all) {
    const bits = e.family === 4 ? 32 : 128;
    let cover: SetElement | undefined;
    for (const [slot, nets] of byPrefix) {
      const [family, prefix] = slot.split('/').map(Number) as [number, number];
      if (family !== e.family || prefix > e.net.prefix) continue;
      cover = nets.get(e.net.value >> BigInt(bits - prefix));
      if (cover) break;
    }
    if (cover) { cover.expires = later(cover.expires, e.expires); continue; }
    const copy = { ...e };
    kept.set(copy.key, copy);
    const slot = `${e.family}/${e.net.prefix}`;
    if (!byPrefix.has(slot)) byPrefix.set(slot, new Map());
    byPrefix.get(slot)!.set(e.net.value >> BigInt(bits - e.net.prefix), copy);
  }
  return kept;
}

export interface ElementDiff {
  remove: Array<{ family: 4 | 6; key: string }>;
  add: SetElement[];
  /** Applied elements the firewall is dropping by itself (timed out). */
  forget: string[];
}

/**
 * What to change so the firewall holds `desired`. An element whose timeout differs (by more than
 * `slack` seconds, or with and without one) is removed and added again. Applied elements about to time
 * out on their own are not removed: deleting one the kernel just dropped would fail the transaction.
 */
export function diffElements(desired: ReadonlyMap<string, SetElement>, applied: Applied, now: number, slack = 5): ElementDiff {
  const diff: ElementDiff = { remove: [], add: [], forget: [] };
  for (const [key, held] of applied) {
    const want = desired.get(key);
    if (want && sameExpiry(want.expires, held.expires, slack)) continue;
    if (held.expires === null || held.expires > now + 1) diff.remove.push({ family: held.family, key });
    else diff.forget.push(key);
    if (want) diff.add.push(want);
  }
  for (const [key, want] of desired) if (!applied.has(key)) diff.add.push(want);
  return diff;
}

function sameExpiry(a: number | null, b: number | null, slack: number): boolean {
  return a === null || b === null ? a === b : Math.abs(a - b) <= slack;
}

/** The applied state after a diff went through. */
export function applyDiff(applied: Applied, diff: ElementDiff): void {
  for (const key of diff.forget) applied.delete(key);
  for (const r of diff.remove) applied.delete(r.key);
  for (const a of diff.add) applied.set(a.key, { family: a.family, expires: a.expires });
}

/** Seconds a firewall timeout should be: whole, at least 1. */
export function timeoutSeconds(expires: number, now: number): number {
  return Math.max(1, Math.ceil(expires - now));
}
