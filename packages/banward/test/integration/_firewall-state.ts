/** What a daemon under test holds: its database's active bans and its nftables set, read from outside. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DaemonHarness } from './_daemon.js';
import { inNs } from './_netns.js';

export function dbBans(h: DaemonHarness, jail = 'test'): { integrity: string; ips: Set<string> } {
  const db = new Database(join(h.state, 'banward.sqlite3'), { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const rows = db.prepare('SELECT ip FROM bans WHERE jail = ? AND active = 1').all(jail) as Array<{ ip: string }>;
    return { integrity, ips: new Set(rows.map((r) => r.ip)) };
  } finally {
    db.close();
  }
}

/** The addresses in the jail's IPv4 set, read back from nft's JSON listing. */
export function nftSet(ns: string, set = 'test-v4'): Set<string> {
  let listing: unknown;
  try {
    listing = JSON.parse(inNs(ns, 'nft', '-j', 'list', 'set', 'inet', 'banward', set));
  } catch {
    return new Set(); // the action has not made its table yet
  }
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(v)) found.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(listing);
  return found;
}
