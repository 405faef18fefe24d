import type Database from 'better-sqlite3';
import type { ActivityCounts, ActivityMinute, OffenderCounts } from './ban-store.js';

/**
 * The dashboard's counters in the state database: failures and bans per jail per minute, and per
 * address per hour (with the address's /24 or /64, so top networks are one GROUP BY). Writes add to
 * what a row holds, so a buffer flushed twice in one minute sums.
 */
export class ActivityTable {
  readonly #addMinute: Database.Statement<[string, number, number, number]>;
  readonly #addOffender: Database.Statement<[string, number, string, number, number]>;
  readonly #minutes: Database.Statement<[number], ActivityMinute>;
  readonly #offenders: Database.Statement<[number, number], OffenderCounts & { ip: string }>;
  readonly #networks: Database.Statement<[number, number], OffenderCounts & { network: string }>;
  readonly #purgeMinutes: Database.Statement<[number]>;
  readonly #purgeOffenders: Database.Statement<[number]>;
  readonly #add: Database.Transaction<(counts: ActivityCounts) => void>;

  constructor(db: Database.Database) {
    this.#addMinute = db.prepare(
      `INSERT INTO activity (jail, minute, failures, bans) VALUES (?, ?, ?, ?)
       ON CONFLICT (jail, minute) DO UPDATE SET failures = failures + excluded.failures, bans = bans + excluded.bans`,
    );
    this.#addOffender = db.prepare(
      `INSERT INTO offenders (ip, hour, network, failures, bans) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (ip, hour) DO UPDATE SET failures = failures + excluded.failures, bans = bans + excluded.bans`,
    );
    this.#minutes = db.prepare('SELECT jail, minute, failures, bans FROM activity WHERE minute >= ? ORDER BY minute, jail');
    const top = (key: string) =>
      `SELECT ${key}, SUM(failures) AS failures, SUM(bans) AS bans FROM offenders WHERE hour >= ?
       GROUP BY ${key} ORDER BY SUM(failures) + SUM(bans) DESC, ${key} LIMIT ?`;
    this.#offenders = db.prepare(top('ip'));
    this.#networks = db.prepare(top('network'));
    this.#purgeMinutes = db.prepare('DELETE FROM activity WHERE minute < ?');
    this.#purgeOffenders = db.prepare('DELETE FROM offenders WHERE hour < ?');
    this.#add = db.transaction((counts: ActivityCounts) => {
      for (const m of counts.minutes) this.#addMinute.run(m.jail, m.minute, m.failures, m.bans);
      for (const o of counts.offenders) this.#addOffender.run(o.ip, o.hour, o.network, o.failures, o.bans);
    });
  }

  add(counts: ActivityCounts): void {
    if (counts.minutes.length + counts.offenders.length > 0) this.#add.immediate(counts);
  }

  /** Minutes with activity from `since` (epoch seconds) on, oldest first. */
  minutes(since: number): ActivityMinute[] {
    return this.#minutes.all(since);
  }

  /** The addresses and networks with the most failures and bans in the hours from `since` on. */
  top(since: number, limit: number): { offenders: (OffenderCounts & { ip: string })[]; networks: (OffenderCounts & { network: string })[] } {
    const hour = Math.floor(since / 3600) * 3600;
    return { offenders: this.#offenders.all(hour, limit), networks: this.#networks.all(hour, limit) };
  }

  purge(before: number): void {
    this.#purgeMinutes.run(before);
    this.#purgeOffenders.run(Math.floor(before / 3600) * 3600);
  }
}
