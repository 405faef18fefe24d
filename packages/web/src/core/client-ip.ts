import proxyaddr from 'proxy-addr';
import { warnOnce } from './errors.js';
import { normalizeIp } from './ip.js';

/** What an adapter knows about a connection: the socket's peer and the raw X-Forwarded-For header. */
export interface ConnInfo {
  remoteAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
}

export type TrustFn = (addr: string, hop: number) => boolean;

/** Compiles a trust list (`'loopback'`, `'10.0.0.0/8'`, …) once; throws proxy-addr's TypeError on a bad entry. */
export function compileTrust(trust: false | true | readonly string[]): TrustFn {
  if (trust === false) return () => false;
  if (trust === true) return () => true;
  return proxyaddr.compile([...trust]);
}

// `[v6]` or `[v6]:port`, and `v4:port`: how some proxies and load balancers write a hop. One quantifier
// before each literal, so a 16 KB hop of colons costs linear time (`[^\]]*:[^\]]*` took 1.4 s on one).
const BRACKETED = /^\[([\dA-Fa-f:.]+)\](?::(\d{1,5}))?$/;
const V4_PORT = /^([\d.]+):(\d{1,5})$/;

/**
 * One X-Forwarded-For entry as an address: a bare address, `ip:port` or `[v6]:port` (the port dropped), or
 * null. Leading zeros (`010.0.0.1`) are refused: inet_aton and some proxies read them as octal, so the
 * entry names no one address for certain.
 */
export function parseHop(raw: string): string | null {
  const text = raw.trim();
  const m = BRACKETED.exec(text) ?? V4_PORT.exec(text);
  if (m && m[2] !== undefined && Number(m[2]) > 65_535) return null;
  if (m && text.startsWith('[') && !m[1]!.includes(':')) return null; // brackets hold IPv6 only
  return normalizeIp(m ? m[1] : text);
}

/**
 * The client's address with proxy-addr's semantics: starting at the socket peer, walk X-Forwarded-For from
 * the right while the hop is trusted; the first untrusted hop is the client. Null when the client is
 * unknown: the socket has no peer address (a destroyed connection), or the walk reached an entry that is not
 * an address (a trusted proxy passing garbage on) — never the proxy, which would lock out everyone behind it.
 */
export function resolveClientIp(conn: ConnInfo, trust: TrustFn): string | null {
  let client = normalizeIp(conn.remoteAddress);
  if (client === null) return null;
  const header = Array.isArray(conn.forwardedFor) ? conn.forwardedFor.join(',') : conn.forwardedFor ?? '';
  // Empty entries (`a,,b`, a trailing comma) are no hop at all.
  const hops = header.split(',').filter((hop) => hop.trim() !== '').reverse();
  for (let i = 0; i < hops.length && trust(client, i); i++) {
    client = parseHop(hops[i]!);
    if (client === null) {
      warnOnce('BANWARD_WEB_W006', JSON.stringify(hops[i]!.trim().slice(0, 100)));
      return null;
    }
  }
  return client;
}
