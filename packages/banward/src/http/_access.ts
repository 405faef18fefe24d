import { createHash, timingSafeEqual } from 'node:crypto';
import { BanwardError } from '../errors.js';
import type { HttpSettings } from './http-settings.js';

/** Who a route is for: anyone, the read token (or the admin token), the admin token, or /metrics's own rule. */
export type RouteAccess = 'public' | 'read' | 'admin' | 'metrics';

export type Role = 'read' | 'admin';

const NO_DIGEST = Buffer.alloc(32);

function digestOf(hex: string | null): Buffer | null {
  return hex === null ? null : Buffer.from(hex, 'hex');
}

/**
 * The bearer-token check: the presented token is hashed, and the hash compared with both tokens'
 * hashes in constant time, both always, so neither the token's length nor which token matched
 * shows in the time taken.
 */
export function tokenChecker(settings: Pick<HttpSettings, 'readTokenDigest' | 'adminTokenDigest'>): (authorization: string | undefined) => Role | null {
  const read = digestOf(settings.readTokenDigest);
  const admin = digestOf(settings.adminTokenDigest);
  return (authorization) => {
    const m = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
    const presented = m ? createHash('sha256').update(m[1]!).digest() : NO_DIGEST;
    const isAdmin = timingSafeEqual(presented, admin ?? NO_DIGEST) && admin !== null && m !== null;
    const isRead = timingSafeEqual(presented, read ?? NO_DIGEST) && read !== null && m !== null;
    if (isAdmin) return 'admin';
    return isRead ? 'read' : null;
  };
}

/** What a role may do on a route; throws the error the client gets otherwise. */
export function checkRole(access: RouteAccess, role: Role | null, metricsPublic: boolean): void {
  if (access === 'public' || (access === 'metrics' && metricsPublic)) return;
  if (role === null) throw new BanwardError('BANWARD_ERR_HTTP_AUTH', 'a valid bearer token is required (Authorization: Bearer …)');
  if (access === 'admin' && role !== 'admin') throw new BanwardError('BANWARD_ERR_HTTP_FORBIDDEN', 'this needs the admin token');
}
