import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BanwardError } from '../errors.js';
import type { BanRecord, BanStore } from './ban-store.js';
import { assertLogPosition, copyPosition, type LogPosition } from '../source/index.js';
import { ActiveBanIndex } from './_active-bans.js';
import { ActivityTable } from './_activity-table.js';
import { assertBanRecord, copyBan } from './_records.js';
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
  origin: string | null;
}

type BanParams = [jail: string, ip: string, time: number, bantime: number, banCount: number, matches: string, origin: string | null];

const BAN_COLUMNS = 'jail, ip, time, bantime, ban_count, matches, origin';

/** The decision store on disk: one SQLite file holding active bans, ban history and log positions. */
export class SqliteBanStore implements BanStore {
  readonly path: string;
  readonly #db: Database.Database;
  /** The dashboard's per-minute and per-address counters. */
  readonly activity: ActivityTable;
  readonly #insertBan: Database.Statement<BanParams>;
  readonly #deleteActiveBan: Database.Statement<[string, string]>;
  readonly #endBan: Database.Statement<[string, string]>;
  readonly #activeRows: Database.Statement<[], BanRow & { id: number }>;
  readonly #dataVersion: Database.Statement<[], number>;
  /** The active bans, read once at open and again whenever another connection (an import) wrote. */
  readonly #active = new ActiveBanIndex();
  #seenVersion = -1;
  /** Set once the version was checked in this run of synchronous work (the check is a query of its own). */
  #checked = false;
  readonly #expiredBans: Database.Statement<[number], BanRow>;
  readonly #banCounts: Database.Statement<[string], { ip: string; n: number }>;
  readonly #banCountsInJail: Database.Statement<[string, string], { ip: string; n: number }>;
  readonly #purgeHistory: Database.Statement<[number]>;
  readonly #bansOfIp: Database.Statement<[string], BanRow>;
  readonly #getPosition: Database.Statement<[string], { data: string }>;
  readonly #setPosition: Database.Statement<[string, string]>;
  readonly #addBans: Database.Transaction<(bans: readonly BanRecord[]) => Array<[BanRecord, number]>>;
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

    this.#insertBan = db.prepare(`INSERT INTO bans (${BAN_COLUMNS}, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)`);
    this.#deleteActiveBan = db.prepare('DELETE FROM bans WHERE jail = ? AND ip = ? AND active = 1');
    this.#endBan = db.prepare('UPDATE bans SET active = 0 WHERE jail = ? AND ip = ? AND active = 1');
    this.#activeRows = db.prepare(`SELECT id, ${BAN_COLUMNS} FROM bans WHERE active = 1`);
    this.#dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.#expiredBans = db.prepare(
      `SELECT ${BAN_COLUMNS} FROM bans WHERE active = 1 AND bantime <> -1 AND time + bantime <= ?
       ORDER BY time + bantime, id`,
    );
    // The ips come as one JSON array: one statement however many, each looked up by index.
    this.#banCounts = db.prepare('SELECT ip, COUNT(*) AS n FROM bans WHERE ip IN (SELECT value FROM json_each(?)) GROUP BY ip');
    this.#banCountsInJail = db.prepare('SELECT ip, COUNT(*) AS n FROM bans WHERE jail = ? AND ip IN (SELECT value FROM json_each(?)) GROUP BY ip');
    this.#purgeHistory = db.prepare('DELETE FROM bans WHERE active = 0 AND time < ?');
    this.#bansOfIp = db.prepare(`SELECT ${BAN_COLUMNS} FROM bans WHERE ip = ? ORDER BY time DESC, id DESC`);
    this.activity = new ActivityTable(db);
    this.#getPosition = db.prepare('SELECT data FROM positions WHERE source_id = ?');
    this.#setPosition = db.prepare(
      'INSERT INTO positions (source_id, data) VALUES (?, ?) ON CONFLICT (source_id) DO UPDATE SET data = excluded.data',
    );
    this.#addBans = db.transaction((bans: readonly BanRecord[]) => {
      // Under the write lock now: a commit elsewhere since the last check is in the index before it is read.
      this.#refresh();
      const inBatch = new Set<string>();
      return bans.map((ban): [BanRecord, number] => {
        // Checked inside the transaction: a bad record rolls back the ones before it.
        assertBanRecord(ban);
        // Re-banning an active ip replaces that ban: one history row per ban event. The index says when
        // there is one, so a burst of new bans costs one statement each.
        const key = `${ban.jail}\0${ban.ip}`;
        if (this.#active.get(ban.jail, ban.ip) || inBatch.has(key)) this.#deleteActiveBan.run(ban.jail, ban.ip);
        inBatch.add(key);
        const row = this.#insertBan.run(ban.jail, ban.ip, ban.time, ban.bantime, ban.banCount, JSON.stringify(ban.matches), ban.origin ?? null);
        return [copyBan(ban), Number(row.lastInsertRowid)];
      });
    });
    const insertPast = db.prepare<[{ jail: string; ip: string; time: number; bantime: number; banCount: number; matches: string }]>(`INSERT INTO bans (${BAN_COLUMNS}, active)
      SELECT @jail, @ip, @time, @bantime, @banCount, @matches, NULL, 0
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
    const active = this.#activeIndex();
    // Into the index only once committed: a refused batch leaves no trace there either.
    for (const [ban, seq] of this.#addBans.immediate(bans)) active.set(ban, seq);
  }

  addHistory(bans: readonly BanRecord[]): number {
    return this.#addHistory.immediate(bans);
  }

  removeBan(jail: string, ip: string): boolean {
    return this.removeBans(jail, [ip]).length > 0;
  }

  removeBans(jail: string, ips: readonly string[]): string[] {
    const active = this.#activeIndex();
    const ended = this.#removeBans.immediate(jail, ips);
    for (const ip of ended) active.delete(jail, ip);
    return ended;
  }

  getBan(jail: string, ip: string): BanRecord | undefined {
    const ban = this.#activeIndex().get(jail, ip);
    return ban && copyBan(ban);
  }

  activeBans(jail?: string): BanRecord[] {
    return this.#activeIndex().list(jail).map(copyBan);
  }

  expiredBans(now: number): BanRecord[] {
    return this.#expiredBans.all(now).map(toBanRecord);
  }

  banCounts(ips: readonly string[], jail?: string): Map<string, number> {
    if (ips.length === 0) return new Map();
    const list = JSON.stringify(ips);
    const rows = jail === undefined ? this.#banCounts.all(list) : this.#banCountsInJail.all(jail, list);
    return new Map(rows.map((row) => [row.ip, row.n]));
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

  /**
   * The index of active bans, read again from the table when another connection has committed since. That
   * is asked once per run of synchronous work: a burst's 10,000 "banned already?" are one run, and a commit
   * elsewhere during it is no different from one just after it.
   */
  #activeIndex(): ActiveBanIndex {
    if (!this.#db.open) throw new TypeError('The database connection is not open');
    if (!this.#checked) {
      this.#checked = true;
      queueMicrotask(() => { this.#checked = false; });
      this.#refresh();
    }
    return this.#active;
  }

  #refresh(): void {
    const version = this.#dataVersion.get()!;
    if (version === this.#seenVersion) return;
    this.#active.clear();
    for (const row of this.#activeRows.all()) this.#active.set(toBanRecord(row), row.id);
    this.#seenVersion = version;
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

function toBanRecord(row: BanRow): BanRecord {
  return {
    jail: row.jail,
    ip: row.ip,
    time: row.time,
    bantime: row.bantime,
    banCount: row.ban_count,
    matches: JSON.parse(row.matches) as string[],
    ...(row.origin === null ? {} : { origin: row.origin }),
  };
}
