/**
 * Reads fail2ban's ban database (/var/lib/fail2ban/fail2ban.sqlite3), read-only so it can be read while
 * fail2ban-server runs: its active bans with their times and ban counts, and the ban events it still
 * keeps (bantime.increment's history). Schema versions 2 to 4 of fail2ban's database.py: version 4 keeps
 * one row per address and jail in `bips` (the current ban) beside one row per ban in `bans`; versions 2 and
 * 3 have `bans` only (version 2 without bantime and bancount).
 */
import Database from 'better-sqlite3';
import { BanwardError } from '../errors.js';
import { canonical, parseIp } from '../net/ip-address.js';

/** One ban as fail2ban recorded it; bantime null where fail2ban did not record it (schema 2, or -2). */
export interface Fail2banBan {
  jail: string;
  ip: string;
  time: number;
  bantime: number | null;
  banCount: number;
  matches: string[];
}

export interface Fail2banBans {
  version: number;
  /** The latest ban of each address and jail, in force or not (see isInForce). */
  current: Fail2banBan[];
  /** Every ban event fail2ban still keeps (active ones included), oldest first. */
  events: Fail2banBan[];
  /** Rows left out: an id that is no address (a raw failure id), or a row fail2ban itself could not read. */
  skipped: { jail: string; ip: string; reason: string }[];
}

interface Row {
  jail: unknown;
  ip: unknown;
  timeofban: unknown;
  bantime?: unknown;
  bancount?: unknown;
  data: unknown;
}

const KNOWN_VERSIONS = [2, 3, 4];

/** fail2ban's `data` column: JSON with the matched lines; anything else carries none. */
function matchesOf(data: unknown): string[] {
  if (typeof data !== 'string') return [];
  try {
    const parsed = JSON.parse(data) as { matches?: unknown };
    return Array.isArray(parsed.matches) ? parsed.matches.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
}

function toBan(row: Row, skipped: Fail2banBans['skipped']): Fail2banBan | null {
  const jail = typeof row.jail === 'string' ? row.jail : '';
  const ip = typeof row.ip === 'string' ? row.ip.trim() : '';
  if (jail === '' || ip === '' || typeof row.timeofban !== 'number') {
    skipped.push({ jail, ip, reason: 'an incomplete row' });
    return null;
  }
  if (parseIp(ip.split('/')[0] ?? '') === null) {
    skipped.push({ jail, ip, reason: 'not an IP address (a raw failure id)' });
    return null;
  }
  const bantime = typeof row.bantime === 'number' && row.bantime !== -2 ? row.bantime : null;
  const banCount = typeof row.bancount === 'number' && row.bancount >= 1 ? Math.floor(row.bancount) : 1;
  return { jail, ip: canonical(ip), time: row.timeofban, bantime, banCount, matches: matchesOf(row.data) };
}

/** Whether the ban lasts past `now`, as fail2ban's restore decides (`bantime`: the ban's own, or the jail's where fail2ban kept none). */
export function isInForce(ban: Fail2banBan, bantime: number, now: number): boolean {
  return bantime < 0 || ban.time + bantime > now;
}

export function readFail2banBans(path: string): Fail2banBans {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  } catch (error) {
    throw new BanwardError('BANWARD_ERR_STATE', `cannot open fail2ban's database ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    if (!tables.has('fail2banDb') || !tables.has('bans')) {
      throw new BanwardError('BANWARD_ERR_STATE', `${path} is not a fail2ban database (no fail2banDb and bans tables)`);
    }
    const version = Number(db.prepare('SELECT version FROM fail2banDb LIMIT 1').pluck().get());
    if (!KNOWN_VERSIONS.includes(version)) {
      throw new BanwardError('BANWARD_ERR_STATE', `${path} has fail2ban database version ${version}; banward reads versions ${KNOWN_VERSIONS.join(', ')}`);
    }
    const skipped: Fail2banBans['skipped'] = [];
    const counted = version >= 3 ? 'bantime, bancount' : 'NULL AS bantime, 1 AS bancount';
    const events = (db.prepare(`SELECT jail, ip, timeofban, ${counted}, data FROM bans ORDER BY timeofban`).all() as Row[])
      .map((r) => toBan(r, skipped)).filter((b): b is Fail2banBan => b !== null);
    let current: Fail2banBan[];
    if (tables.has('bips')) {
      current = (db.prepare('SELECT jail, ip, timeofban, bantime, bancount, data FROM bips ORDER BY timeofban').all() as Row[])
        .map((r) => toBan(r, skipped)).filter((b): b is Fail2banBan => b !== null);
    } else {
      // Before bips, the latest ban of each address and jail is the current one; its count is how many there were.
      const latest = new Map<string, Fail2banBan>();
      for (const e of events) {
        const key = `${e.jail}\n${e.ip}`;
        const before = latest.get(key);
        latest.set(key, { ...e, banCount: version >= 3 ? e.banCount : (before?.banCount ?? 0) + 1 });
      }
      current = [...latest.values()];
    }
    const once = new Map(skipped.map((s) => [`${s.jail}\n${s.ip}\n${s.reason}`, s]));
    return { version, current, events, skipped: [...once.values()] };
  } finally {
    db.close();
  }
}
