import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { BanwardError } from '../errors.js';
import { ban, runBanStoreContract } from './_ban-store-contract.js';
import { SCHEMA_MIGRATIONS, migrateSchema, schemaVersion } from './_schema-migrations.js';
import { SqliteBanStore } from './sqlite-ban-store.js';

const root = mkdtempSync(join(tmpdir(), 'banward-sqlite-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

let fileCount = 0;
/** A fresh database path inside a directory that does not exist yet. */
const freshPath = (): string => join(root, `case-${++fileCount}`, 'state', 'banward.sqlite3');

const SCHEMA_V1_SQL = readFileSync(new URL('../../../test/fixtures/decision/schema-v1.sql', import.meta.url), 'utf8');
const SCHEMA_V2_SQL = readFileSync(new URL('../../../test/fixtures/decision/schema-v2.sql', import.meta.url), 'utf8');
const SCHEMA_V3_SQL = readFileSync(new URL('../../../test/fixtures/decision/schema-v3.sql', import.meta.url), 'utf8');

/** Writes a database file the way an older banward left it. */
function databaseFromSql(sql: string): string {
  const path = freshPath();
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.exec(sql);
  db.close();
  return path;
}

/** Tables and indexes, with the SQL's layout (which SQLite keeps verbatim) normalised. */
function schemaOf(db: Database.Database): string[] {
  const rows = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all() as {
    type: string;
    name: string;
    sql: string | null;
  }[];
  return rows.map((row) => `${row.type} ${row.name}: ${(row.sql ?? '').replace(/\s+/g, ' ')}`);
}

function expectStateError(open: () => unknown, pattern: RegExp): void {
  assert.throws(open, (error: unknown) => {
    assert.ok(error instanceof BanwardError);
    assert.equal(error.code, 'BANWARD_ERR_STATE');
    assert.match(error.message, pattern);
    return true;
  });
}

runBanStoreContract('SqliteBanStore (file)', () => new SqliteBanStore({ path: freshPath() }));
runBanStoreContract('SqliteBanStore (:memory:)', () => new SqliteBanStore({ path: ':memory:' }));

describe('SqliteBanStore: options', () => {
  test('bad options throw precise TypeErrors', () => {
    assert.throws(() => new SqliteBanStore(undefined as never), {
      name: 'TypeError',
      message: 'SqliteBanStore options must be an object',
    });
    for (const path of [undefined, 42, '', null]) {
      assert.throws(() => new SqliteBanStore({ path } as never), {
        name: 'TypeError',
        message: 'SqliteBanStore options.path must be a non-empty string',
      });
    }
  });
});

describe('SqliteBanStore: on disk', () => {
  test('reopening after close keeps active bans, history and positions', () => {
    const path = freshPath();
    const first = new SqliteBanStore({ path });
    const active = ban({ ip: '192.0.2.10', time: 2000, matches: ['a', 'b'] });
    first.addBan(ban({ ip: '192.0.2.10', time: 1000 }));
    first.removeBan('sshd', '192.0.2.10');
    first.addBan(active);
    first.setPosition('sshd:journal', { kind: 'journal', cursor: 'cursor-1' });
    first.close();

    const second = new SqliteBanStore({ path });
    assert.deepEqual(second.activeBans(), [active]);
    assert.deepEqual(second.banCounts(['192.0.2.10']), new Map([['192.0.2.10', 2]]));
    assert.deepEqual(second.getPosition('sshd:journal'), { kind: 'journal', cursor: 'cursor-1' });
    second.close();
  });

  test('bans another connection records or ends (an import beside the running daemon) are read from the next turn on', async () => {
    const path = freshPath();
    const daemon = new SqliteBanStore({ path });
    daemon.addBan(ban({ ip: '192.0.2.1', time: 100 }));
    assert.equal(daemon.activeBans('sshd').length, 1);
    const importer = new SqliteBanStore({ path });
    const imported = ban({ ip: '192.0.2.2', time: 50, matches: ['imported'] });
    importer.addBans([imported]);
    importer.removeBan('sshd', '192.0.2.1');
    importer.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(daemon.getBan('sshd', '192.0.2.2'), imported);
    assert.equal(daemon.getBan('sshd', '192.0.2.1'), undefined);
    assert.deepEqual(daemon.activeBans(), [imported]);
    daemon.addBan(ban({ ip: '192.0.2.3', time: 10 }));
    assert.deepEqual(daemon.activeBans('sshd').map((b) => b.ip), ['192.0.2.3', '192.0.2.2']);
    daemon.addBans([ban({ ip: '192.0.2.4', time: 1 }), ban({ ip: '192.0.2.4', time: 2 })]);
    // In one run of work, after the daemon's check: the other connection bans the address the daemon bans next.
    const racer = new SqliteBanStore({ path });
    racer.addBan(ban({ ip: '192.0.2.5', time: 3 }));
    racer.close();
    daemon.addBan(ban({ ip: '192.0.2.5', time: 4 }));
    assert.deepEqual(daemon.getBan('sshd', '192.0.2.5')?.time, 4);
    daemon.close();
    const reopened = new SqliteBanStore({ path });
    assert.deepEqual(reopened.activeBans('sshd').map((b) => [b.ip, b.time]), [['192.0.2.4', 2], ['192.0.2.5', 4], ['192.0.2.3', 10], ['192.0.2.2', 50]]);
    assert.equal(reopened.banCounts(['192.0.2.4'], 'sshd').get('192.0.2.4'), 1, 'the second replaced the first');
    reopened.close();
  });

  test('creates its directory 0700 and its files 0600, in WAL mode', () => {
    const path = freshPath();
    const store = new SqliteBanStore({ path });
    store.addBan(ban());
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
    const peek = new Database(path, { readonly: true });
    assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal');
    peek.close();
    store.close();
  });

  test('a ban survives the process being killed with SIGKILL right after addBan returns', () => {
    const path = freshPath();
    const moduleUrl = new URL('./sqlite-ban-store.js', import.meta.url).href;
    const script = join(root, `kill-after-add-${fileCount}.mjs`);
    const recorded = ban({ ip: '198.51.100.77', matches: ['Invalid user admin from 198.51.100.77'] });
    writeFileSync(
      script,
      [
        `import { SqliteBanStore } from ${JSON.stringify(moduleUrl)};`,
        `const store = new SqliteBanStore({ path: process.argv[2] });`,
        `store.addBan(${JSON.stringify(recorded)});`,
        `process.kill(process.pid, 'SIGKILL');`,
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, [script, path], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    // Never closed, never checkpointed: the ban is only in the WAL, which the next open recovers.
    assert.ok(statSync(`${path}-wal`).size > 0);
    const store = new SqliteBanStore({ path });
    assert.deepEqual(store.getBan('sshd', '198.51.100.77'), recorded);
    store.close();
  });

  test('a file that is not an SQLite database is refused with BANWARD_ERR_STATE', () => {
    const path = freshPath();
    new SqliteBanStore({ path }).close();
    writeFileSync(path, 'fail2ban.sqlite3 is not this'.repeat(100));
    expectStateError(() => new SqliteBanStore({ path }), /cannot open the state database/);
  });
});

describe('SqliteBanStore: schema versions', () => {
  test('a v1 database opens with its bans, history and positions', () => {
    const store = new SqliteBanStore({ path: databaseFromSql(SCHEMA_V1_SQL) });
    assert.deepEqual(store.getBan('sshd', '192.0.2.7'), {
      jail: 'sshd',
      ip: '192.0.2.7',
      time: 1700003600,
      bantime: 1200,
      banCount: 2,
      matches: ['Failed password for admin from 192.0.2.7'],
    });
    assert.deepEqual(store.banCounts(['192.0.2.7'], 'sshd'), new Map([['192.0.2.7', 2]]));
    assert.deepEqual(store.expiredBans(Number.MAX_SAFE_INTEGER).map((b) => b.ip), ['192.0.2.7']);
    assert.deepEqual(store.getPosition('sshd:file:/var/log/auth.log'), {
      kind: 'file',
      offset: 4096,
      firstLineHash: '9f86d081',
      inode: 131077,
    });
    store.close();
  });

  for (const [version, sql] of [[1, SCHEMA_V1_SQL], [2, SCHEMA_V2_SQL]] as const) test(`a v${version} database migrated to the latest version has the schema of a new one`, () => {
    const migrated = new Database(databaseFromSql(sql));
    migrateSchema(migrated);
    const fresh = new Database(':memory:');
    migrateSchema(fresh);
    assert.equal(schemaVersion(migrated), SCHEMA_MIGRATIONS.length);
    assert.deepEqual(schemaOf(migrated), schemaOf(fresh));
    migrated.close();
    fresh.close();
  });

  test('activity counters add up per jail-minute and per address-hour, and are purged by age', () => {
    const store = new SqliteBanStore({ path: databaseFromSql(SCHEMA_V2_SQL) });
    const offender = { ip: '203.0.113.5', hour: 3600, network: '203.0.113.0/24', failures: 2, bans: 0 };
    store.activity.add({ minutes: [{ jail: 'sshd', minute: 3660, failures: 2, bans: 0 }], offenders: [offender] });
    store.activity.add({ minutes: [{ jail: 'sshd', minute: 3660, failures: 1, bans: 1 }], offenders: [{ ...offender, ip: '203.0.113.6', failures: 1, bans: 1 }] });
    assert.deepEqual(store.activity.minutes(0), [{ jail: 'sshd', minute: 3660, failures: 3, bans: 1 }]);
    assert.deepEqual(store.activity.top(3700, 10), {
      offenders: [{ ip: '203.0.113.5', failures: 2, bans: 0 }, { ip: '203.0.113.6', failures: 1, bans: 1 }],
      networks: [{ network: '203.0.113.0/24', failures: 3, bans: 1 }],
    });
    assert.deepEqual(store.bansOf('192.0.2.7').map((b) => b.time), [1700003600, 1700000000], 'a v2 file keeps its history, newest first');
    store.activity.purge(7200);
    assert.deepEqual(store.activity.minutes(0), []);
    store.close();
  });

  test('a v3 database (issue 15) gets the origin column: its bans read back as this node\'s own, a fleet ban keeps its origin', () => {
    const path = databaseFromSql(SCHEMA_V3_SQL);
    const fresh = new Database(':memory:');
    migrateSchema(fresh);
    const store = new SqliteBanStore({ path });
    assert.deepEqual(store.getBan('nginx-http-auth', '2001:db8::5'), { jail: 'nginx-http-auth', ip: '2001:db8::5', time: 1700000100, bantime: -1, banCount: 1, matches: [] });
    store.addBan(ban({ ip: '198.51.100.9', origin: 'web-2' }));
    assert.equal(store.getBan('sshd', '198.51.100.9')?.origin, 'web-2');
    store.close();
    const migrated = new Database(path);
    assert.deepEqual(schemaOf(migrated), schemaOf(fresh));
    migrated.close();
    fresh.close();
  });

  test('a v1 database is migrated by a later migration, once, keeping its rows', () => {
    const later = SCHEMA_MIGRATIONS.length + 1;
    const v2 = { version: later, sql: 'ALTER TABLE bans ADD COLUMN country TEXT' };
    const db = new Database(databaseFromSql(SCHEMA_V1_SQL));
    assert.equal(migrateSchema(db, [...SCHEMA_MIGRATIONS, v2]), later);
    assert.equal(schemaVersion(db), later);
    assert.deepEqual(db.prepare('SELECT ip, country FROM bans ORDER BY id').all(), [
      { ip: '192.0.2.7', country: null },
      { ip: '192.0.2.7', country: null },
      { ip: '2001:db8::5', country: null },
    ]);
    migrateSchema(db, [...SCHEMA_MIGRATIONS, v2]);
    assert.equal(schemaVersion(db), later);
    db.close();
  });

  test('a failing migration leaves the file at its last whole version', () => {
    const db = new Database(databaseFromSql(SCHEMA_V1_SQL));
    const broken = { version: SCHEMA_MIGRATIONS.length + 1, sql: 'CREATE TABLE extra (x); INSERT INTO no_such_table VALUES (1);' };
    assert.throws(() => migrateSchema(db, [...SCHEMA_MIGRATIONS, broken]), /no such table/);
    assert.equal(schemaVersion(db), SCHEMA_MIGRATIONS.length, 'the shipped migrations went through, the broken one did not');
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").all(), []);
    db.close();
  });

  test('issue 13: the expiry check and the history purge use an index, not a scan of every ban', () => {
    const db = new Database(':memory:');
    migrateSchema(db);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0) as { detail: string }[]).map((r) => r.detail).join('; ');
    assert.match(plan('SELECT id FROM bans WHERE active = 1 AND bantime <> -1 AND time + bantime <= ? ORDER BY time + bantime, id'), /USING INDEX bans_expiry/);
    assert.match(plan('DELETE FROM bans WHERE active = 0 AND time < ?'), /USING INDEX bans_history_time/);
    db.close();
  });

  test('a schema version newer than this code is refused with BANWARD_ERR_STATE, file untouched', () => {
    const path = databaseFromSql(`${SCHEMA_V1_SQL}\nPRAGMA user_version = 7;`);
    const known = SCHEMA_MIGRATIONS.length;
    expectStateError(() => new SqliteBanStore({ path }), new RegExp(`schema version 7 is newer than this banward knows \\(${known}\\)`));
    const db = new Database(path, { readonly: true });
    assert.equal(schemaVersion(db), 7);
    assert.equal((db.prepare('SELECT count(*) AS n FROM bans').get() as { n: number }).n, 3);
    db.close();
  });

  test('a migration list with a gap is a programming error', () => {
    const db = new Database(':memory:');
    assert.throws(() => migrateSchema(db, [{ version: 2, sql: '' }]), /must have version 1/);
    db.close();
  });
});
