import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
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

/**
 * The client's address with proxy-addr's semantics: starting at the socket peer, walk X-Forwarded-For from
 * the right while the hop is trusted; the first untrusted hop is the client. A hop that is not an IP address
 * (a trusted proxy passing garbage on) ends the walk at the last valid hop before it. Null only when the
 * socket has no peer address (a destroyed connection).
 */
export function resolveClientIp(conn: ConnInfo, trust: TrustFn): string | null {
  const header = Array.isArray(conn.forwardedFor) ? conn.forwardedFor.join(', ') : conn.forwardedFor;
  // proxy-addr reads only these two fields of the request.
  const req = { socket: { remoteAddress: conn.remoteAddress }, headers: { 'x-forwarded-for': header } };
  const chain = proxyaddr.all(req as unknown as IncomingMessage, trust);
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = normalizeIp(chain[i]);
    if (ip !== null) return ip;
  }
  return null;
}
