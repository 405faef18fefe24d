import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BanwardError } from '../errors.js';
import type { BanHistory, BanRecord, BanStore } from './ban-store.js';
import { assertLogPosition, copyPosition, type LogPosition } from '../source/index.js';
import { ActivityTable } from './_activity-table.js';
import { assertBanRecord } from './_records.js';
import { migrateSchema } from './_schema-migrations.js';

export interface SqliteBanStoreOptions {
  /** The database file (created 0600, its directory 0700), or `:memory:`. */
  path: string;
}

interface BanRow {
  jail: string;
  ip: string;
  time: number;
  bantime: number;
  ban_count: number;
  matches: string;
}

interface HistoryRow {
  banCount: number;
  lastBanTime: number;
  lastBantime: number;
}

type BanParams = [jail: string, ip: string, time: number, bantime: number, banCount: number, matches: string];

const BAN_COLUMNS = 'jail, ip, time, bantime, ban_count, matches';

/** The decision store on disk: one SQLite file holding active bans, ban history and log positions. */
export class SqliteBanStore implements BanStore {
  readonly path: string;
  readonly #db: Database.Database;
  /** The dashboard's per-minute and per-address counters. */
  readonly activity: ActivityTable;
  readonly #insertBan: Database.Statement<BanParams>;
  readonly #deleteActiveBan: Database.Statement<[string, string]>;
  readonly #endBan: Database.Statement<[string, string]>;
  readonly #getBan: Database.Statement<[string, string], BanRow>;
  readonly #activeBans: Database.Statement<[], BanRow>;
  readonly #activeBansOfJail: Database.Statement<[string], BanRow>;
  readonly #expiredBans: Database.Statement<[number], BanRow>;
  readonly #historyOfIp: Database.Statement<{ ip: string }, HistoryRow>;
  readonly #historyOfIpInJail: Database.Statement<{ ip: string; jail: string }, HistoryRow>;
  readonly #purgeHistory: Database.Statement<[number]>;
  readonly #bansOfIp: Database.Statement<[string], BanRow>;
  readonly #getPosition: Database.Statement<[string], { data: string }>;
  readonly #setPosition: Database.Statement<[string, string]>;
  readonly #addBans: Database.Transaction<(bans: readonly BanRecord[]) => void>;
  readonly #addHistory: Database.Transaction<(bans: readonly BanRecord[]) => number>;
  readonly #removeBans: Database.Transaction<(jail: string, ips: readonly string[]) => string[]>;

  constructor(options: SqliteBanStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('SqliteBanStore options must be an object');
    }
    if (typeof options.path !== 'string' || options.path === '') {
      throw new TypeError('SqliteBanStore options.path must be a non-empty string');
    }
    this.path = options.path;
    this.#db = openDatabase(options.path);
    const db = this.#db;

    this.#insertBan = db.prepare(`INSERT INTO bans (${BAN_COLUMNS}, active) VALUES (?, ?, ?, ?, ?, ?, 1)`);
    this.#deleteActiveBan = db.prepare('DELETE FROM bans WHERE jail = ? AND ip = ? AND active = 1');
    this.#endBan = db.prepare('UPDATE bans SET active = 0 WHERE jail = ? AND ip = ? AND active = 1');
    this.#getBan = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans WHERE jail = ? AND ip = ? AND active = 1`);
    this.#activeBans = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans WHERE active = 1 ORDER BY time, id`);
    this.#activeBansOfJail = db.prepare(
      `SELECT ${BAN_COLUMNS} FROM bans WHERE active = 1 AND jail = ? ORDER BY time, id`,
    );
    this.#expiredBans = db.prepare(
      `SELECT ${BAN_COLUMNS} FROM bans WHERE active = 1 AND bantime <> -1 AND time + bantime <= ?
       ORDER BY time + bantime, id`,
    );
    this.#historyOfIp = db.prepare(historyQuery('ip = @ip'));
    this.#historyOfIpInJail = db.prepare(historyQuery('ip = @ip AND jail = @jail'));
    this.#purgeHistory = db.prepare('DELETE FROM bans WHERE active = 0 AND time < ?');
    this.#bansOfIp = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans WHERE ip = ? ORDER BY time DESC, id DESC`);
    this.activity = new ActivityTable(db);
    this.#getPosition = db.prepare('SELECT data FROM positions WHERE source_id = ?');
    this.#setPosition = db.prepare(
      'INSERT INTO positions (source_id, data) VALUES (?, ?) ON CONFLICT (source_id) DO UPDATE SET data = excluded.data',
    );
    this.#addBans = db.transaction((bans: readonly BanRecord[]) => {
      // Checked inside the transaction: a bad record rolls back the ones before it.
      for (const ban of bans) {
        assertBanRecord(ban);
        // Re-banning an active ip replaces that ban: one history row per ban event.
        this.#deleteActiveBan.run(ban.jail, ban.ip);
        this.#insertBan.run(ban.jail, ban.ip, ban.time, ban.bantime, ban.banCount, JSON.stringify(ban.matches));
      }
    });
    const insertPast = db.prepare<[{ jail: string; ip: string; time: number; bantime: number; banCount: number; matches: string }]>(`INSERT INTO bans (${BAN_COLUMNS}, active)
      SELECT @jail, @ip, @time, @bantime, @banCount, @matches, 0
      WHERE NOT EXISTS (SELECT 1 FROM bans WHERE jail = @jail AND ip = @ip AND time = @time AND bantime = @bantime)`);
    this.#addHistory = db.transaction((bans: readonly BanRecord[]) => {
      let added = 0;
      for (const ban of bans) {
        assertBanRecord(ban);
        const { jail, ip, time, bantime, banCount } = ban;
        added += insertPast.run({ jail, ip, time, bantime, banCount, matches: JSON.stringify(ban.matches) }).changes;
      }
      return added;
    });
    this.#removeBans = db.transaction((jail: string, ips: readonly string[]) => ips.filter((ip) => this.#endBan.run(jail, ip).changes > 0));
  }

  addBan(ban: BanRecord): void {
    this.addBans([ban]);
  }

  addBans(bans: readonly BanRecord[]): void {
    this.#addBans.immediate(bans);
  }

  addHistory(bans: readonly BanRecord[]): number {
    return this.#addHistory.immediate(bans);
  }

  removeBan(jail: string, ip: string): boolean {
    return this.#endBan.run(jail, ip).changes > 0;
  }

  removeBans(jail: string, ips: readonly string[]): string[] {
    return this.#removeBans.immediate(jail, ips);
  }

  getBan(jail: string, ip: string): BanRecord | undefined {
    const row = this.#getBan.get(jail, ip);
    return row && toBanRecord(row);
  }

  activeBans(jail?: string): BanRecord[] {
    const rows = jail === undefined ? this.#activeBans.all() : this.#activeBansOfJail.all(jail);
    return rows.map(toBanRecord);
  }

  expiredBans(now: number): BanRecord[] {
    return this.#expiredBans.all(now).map(toBanRecord);
  }

  history(ip: string, jail?: string): BanHistory | undefined {
    const row = jail === undefined ? this.#historyOfIp.get({ ip }) : this.#historyOfIpInJail.get({ ip, jail });
    return row && { banCount: row.banCount, lastBanTime: row.lastBanTime, lastBantime: row.lastBantime };
  }

  /** Every ban of `ip` kept (active and past, all jails), newest first. */
  bansOf(ip: string): BanRecord[] {
    return this.#bansOfIp.all(ip).map(toBanRecord);
  }

  purgeHistory(before: number): number {
    return this.#purgeHistory.run(before).changes;
  }

  getPosition(sourceId: string): LogPosition | undefined {
    const row = this.#getPosition.get(sourceId);
    return row && copyPosition(JSON.parse(row.data) as LogPosition);
  }

  setPosition(sourceId: string, position: LogPosition): void {
    assertLogPosition(sourceId, position);
    this.#setPosition.run(sourceId, JSON.stringify(copyPosition(position)));
  }

  /** Checkpoints the WAL into the main file and releases it; the store is unusable afterwards. */
  close(): void {
    this.#db.close();
  }
}

function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The mode only applies when the file is created; SQLite gives its -wal and -shm files the same mode.
      closeSync(openSync(path, 'a', 0o600));
    }
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL already survives a crash or kill -9 (a commit is in the OS page cache when it returns);
    // it can lose the last commits on power loss or a kernel panic. FULL fsyncs the WAL on every commit, so
    // a ban reported as recorded survives those too. Bans and position saves are rare (per ban, per read
    // batch), so one fsync each is cheap insurance against an attacker unbanned by a reboot.
    db.pragma('synchronous = FULL');
    migrateSchema(db);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof BanwardError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BanwardError('BANWARD_ERR_STATE', `${path}: cannot open the state database: ${reason}`, {
      file: path,
      cause: error,
    });
  }
}

/** Count of the ip's bans, with the time and length of the latest (ties go to the last recorded). */
function historyQuery(where: string): string {
  return `SELECT (SELECT COUNT(*) FROM bans WHERE ${where}) AS banCount,
                 time AS lastBanTime, bantime AS lastBantime
          FROM bans WHERE ${where} ORDER BY time DESC, id DESC LIMIT 1`;
}

function toBanRecord(row: BanRow): BanRecord {
  return {
    jail: row.jail,
    ip: row.ip,
    time: row.time,
    bantime: row.bantime,
    banCount: row.ban_count,
    matches: JSON.parse(row.matches) as string[],
  };
}
