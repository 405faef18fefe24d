/**
 * `banward migrate --import-bans`: fail2ban's bans carried into banward's store, so that stopping
 * fail2ban and starting banward unbans nobody. Each ban in force keeps its start, its length (so its
 * remaining time) and its ban count; the ban events fail2ban still keeps become banward's history, so
 * bantime.increment goes on counting. Running it twice imports nothing twice.
 */
import type { BanRecord, BanStore } from '../decision/index.js';
import { isInForce, readFail2banBans, type Fail2banBan } from './fail2ban-database.js';

export interface ImportOptions {
  /** fail2ban's database file. */
  from: string;
  store: BanStore;
  now: number;
  /** A jail's bantime, for bans fail2ban recorded without one (its schema 2); fail2ban's default 600 s when unknown. */
  jailBantime?: (jail: string) => number | undefined;
  /** The jails banward runs; bans of others are imported and listed (they are enforced once such a jail runs). */
  knownJails?: ReadonlySet<string>;
}

export interface ImportReport {
  source: string;
  version: number;
  imported: { jail: string; ip: string; expires: number | null; banCount: number }[];
  /** Bans in force that banward already had (an earlier import, or its own). */
  alreadyBanned: number;
  /** Past bans added to banward's history. */
  history: number;
  skipped: { jail: string; ip: string; reason: string }[];
  /** Jails with imported bans that banward does not run (when knownJails was given). */
  unknownJails: string[];
}

const FAIL2BAN_DEFAULT_BANTIME = 600;

export function importFail2banBans(options: ImportOptions): ImportReport {
  const { store, now } = options;
  const read = readFail2banBans(options.from);
  const bantimeOf = (b: Fail2banBan): number => b.bantime ?? options.jailBantime?.(b.jail) ?? FAIL2BAN_DEFAULT_BANTIME;
  const record = (b: Fail2banBan, time = b.time): BanRecord => ({ jail: b.jail, ip: b.ip, time, bantime: bantimeOf(b), banCount: b.banCount, matches: [...b.matches] });
  const key = (b: { jail: string; ip: string }) => `${b.jail}\n${b.ip}`;

  const inForce = read.current.filter((b) => isInForce(b, bantimeOf(b), now));
  const fresh = inForce.filter((b) => !store.getBan(b.jail, b.ip));
  const activeEvent = new Set(inForce.map((b) => `${key(b)}\n${b.time}`));
  const past = read.events.filter((e) => !activeEvent.has(`${key(e)}\n${e.time}`)).map((e) => record(e));
  // fail2ban purges old ban events sooner than it forgets an address's count: the bans it no longer
  // lists are recorded just before the latest, so banward's count (its history rows) is fail2ban's.
  const events = new Map<string, number>();
  for (const e of read.events) events.set(key(e), (events.get(key(e)) ?? 0) + 1);
  for (const b of read.current) {
    const missing = b.banCount - Math.max(events.get(key(b)) ?? 0, 1);
    for (let i = 1; i <= missing; i++) past.push(record(b, b.time - i));
  }
  const history = store.addHistory(past);
  store.addBans(fresh.map((b) => record(b)));
  const unknownJails = options.knownJails ? [...new Set(fresh.map((b) => b.jail))].filter((j) => !options.knownJails!.has(j)).sort() : [];
  return {
    source: options.from,
    version: read.version,
    imported: fresh.map((b) => ({ jail: b.jail, ip: b.ip, expires: bantimeOf(b) < 0 ? null : b.time + bantimeOf(b), banCount: b.banCount })),
    alreadyBanned: inForce.length - fresh.length,
    history,
    skipped: read.skipped,
    unknownJails,
  };
}
