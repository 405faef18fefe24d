import type { BanRecord } from './ban-store.js';

/** Shared by every store, so a record the memory store refuses is refused by SQLite too. */
export function assertBanRecord(ban: BanRecord): void {
  if (typeof ban !== 'object' || ban === null) throw new TypeError('ban must be an object');
  assertNonEmptyString(ban.jail, 'ban.jail');
  assertNonEmptyString(ban.ip, 'ban.ip');
  if (!Number.isFinite(ban.time)) throw new TypeError('ban.time must be a finite number (epoch seconds)');
  if (!Number.isFinite(ban.bantime) || (ban.bantime < 0 && ban.bantime !== -1)) {
    throw new TypeError('ban.bantime must be a non-negative number of seconds, or -1 for ever');
  }
  if (!Number.isInteger(ban.banCount) || ban.banCount < 1) {
    throw new TypeError('ban.banCount must be a positive integer');
  }
  if (!Array.isArray(ban.matches) || !ban.matches.every((line) => typeof line === 'string')) {
    throw new TypeError('ban.matches must be an array of strings');
  }
  if (ban.origin !== undefined) assertNonEmptyString(ban.origin, 'ban.origin');
}

/** Stores hand out copies in one shape, so callers cannot mutate what is stored and both stores agree. */
export function copyBan(ban: BanRecord): BanRecord {
  const { jail, ip, time, bantime, banCount, matches, origin } = ban;
  return { jail, ip, time, bantime, banCount, matches: [...matches], ...(origin === undefined ? {} : { origin }) };
}

/** Permanent bans (-1) never expire. */
export function isExpired(ban: BanRecord, now: number): boolean {
  return ban.bantime !== -1 && ban.time + ban.bantime <= now;
}

function assertNonEmptyString(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}
