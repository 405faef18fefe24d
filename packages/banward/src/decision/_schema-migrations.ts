import type { Database } from 'better-sqlite3';
import { BanwardError } from '../errors.js';

/** Takes a database from `version - 1` to `version`. Shipped migrations are never edited, only appended. */
export interface SchemaMigration {
  version: number;
  sql: string;
}

/**
 * Every schema banward has written. A file at user_version N gets migrations N+1..latest, each in its own
 * transaction with its user_version bump, so a kill mid-upgrade leaves a file at some whole version.
 * test/fixtures/decision/schema-v<N>.sql keeps each old schema as released, to prove the upgrade from it.
 */
export const SCHEMA_MIGRATIONS: readonly SchemaMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE bans (
        id        INTEGER PRIMARY KEY,
        jail      TEXT    NOT NULL,
        ip        TEXT    NOT NULL,
        time      REAL    NOT NULL,
        bantime   REAL    NOT NULL,
        ban_count INTEGER NOT NULL,
        matches   TEXT    NOT NULL,
        active    INTEGER NOT NULL
      );
      CREATE INDEX bans_jail_ip ON bans (jail, ip);
      CREATE INDEX bans_ip ON bans (ip);
      CREATE UNIQUE INDEX bans_one_active ON bans (jail, ip) WHERE active = 1;
      CREATE TABLE positions (
        source_id TEXT PRIMARY KEY,
        data      TEXT NOT NULL
      );
    `,
  },
  {
    // The once-a-second expiry check and the history purge find their rows by index, not by a scan of every ban.
    version: 2,
    sql: `
      CREATE INDEX bans_expiry ON bans (time + bantime) WHERE active = 1 AND bantime <> -1;
      CREATE INDEX bans_history_time ON bans (time) WHERE active = 0;
    `,
  },
  {
    // Per-minute counters per jail and per-hour counters per address, for the dashboard's charts and top lists.
    version: 3,
    sql: `
      CREATE TABLE activity (
        jail     TEXT    NOT NULL,
        minute   INTEGER NOT NULL,
        failures INTEGER NOT NULL,
        bans     INTEGER NOT NULL,
        PRIMARY KEY (jail, minute)
      ) WITHOUT ROWID;
      CREATE INDEX activity_minute ON activity (minute);
      CREATE TABLE offenders (
        ip       TEXT    NOT NULL,
        hour     INTEGER NOT NULL,
        network  TEXT    NOT NULL,
        failures INTEGER NOT NULL,
        bans     INTEGER NOT NULL,
        PRIMARY KEY (ip, hour)
      ) WITHOUT ROWID;
      CREATE INDEX offenders_hour ON offenders (hour);
    `,
  },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` up to the last migration; refuses (BANWARD_ERR_STATE) a file written by a newer banward. */
export function migrateSchema(db: Database, migrations: readonly SchemaMigration[] = SCHEMA_MIGRATIONS): number {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`schema migration ${index} must have version ${index + 1}`);
  });
  const latest = migrations.length;
  // The version is read inside each write transaction, so two processes opening one new file cannot both
  // run the same migration.
  const step = db.transaction((): boolean => {
    const current = schemaVersion(db);
    if (current > latest) {
      throw new BanwardError(
        'BANWARD_ERR_STATE',
        `${db.name}: state schema version ${current} is newer than this banward knows (${latest}); ` +
          'upgrade banward instead of opening this file with an older release',
        { file: db.name },
      );
    }
    const next = migrations[current];
    if (!next) return false;
    db.exec(next.sql);
    db.pragma(`user_version = ${next.version}`);
    return true;
  });
  let migrated = true;
  while (migrated) migrated = step.immediate();
  return latest;
}
