import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MemoryBanStore } from '../decision/index.js';
import { importFail2banBans } from './import-bans.js';

const NOW = 1_800_000_000;

/** A database in the shape fail2ban's database.py writes for `version` (2: no bantime/bancount; 4: bips beside bans). */
function fail2banDb(dir: string, version: number, rows: { jail: string; ip: string; time: number; bantime: number; count: number; data?: string }[]): string {
  const path = join(dir, `f2b-v${version}.sqlite3`);
  const db = new Database(path);
  db.exec('CREATE TABLE fail2banDb(version INTEGER); CREATE TABLE jails(name TEXT NOT NULL UNIQUE, enabled INTEGER NOT NULL DEFAULT 1);');
  db.prepare('INSERT INTO fail2banDb VALUES (?)').run(version);
  if (version === 2) {
    db.exec('CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL, data JSON)');
    for (const r of rows) db.prepare('INSERT INTO bans VALUES (?, ?, ?, ?)').run(r.jail, r.ip, r.time, r.data ?? '{}');
  } else {
    db.exec('CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL, bantime INTEGER NOT NULL, bancount INTEGER NOT NULL DEFAULT 1, data JSON)');
    for (const r of rows) db.prepare('INSERT INTO bans VALUES (?, ?, ?, ?, ?, ?)').run(r.jail, r.ip, r.time, r.bantime, r.count, r.data ?? '{}');
  }
  if (version === 4) {
    db.exec('CREATE TABLE bips(ip TEXT NOT NULL, jail TEXT NOT NULL, timeofban INTEGER NOT NULL, bantime INTEGER NOT NULL, bancount INTEGER NOT NULL DEFAULT 1, data JSON, PRIMARY KEY(ip, jail))');
    for (const r of rows) db.prepare('INSERT OR REPLACE INTO bips VALUES (?, ?, ?, ?, ?, ?)').run(r.ip, r.jail, r.time, r.bantime, r.count, r.data ?? '{}');
  }
  db.close();
  return path;
}

const ROWS = [
  // 192.0.2.1: banned twice (bantime.increment), the second ban in force for another 1800 s.
  { jail: 'sshd', ip: '192.0.2.1', time: NOW - 7200, bantime: 600, count: 1 },
  { jail: 'sshd', ip: '192.0.2.1', time: NOW - 1800, bantime: 3600, count: 2, data: '{"matches": ["Failed password for root from 192.0.2.1"], "failures": 5}' },
  { jail: 'sshd', ip: '192.0.2.2', time: NOW - 9000, bantime: 600, count: 1 },
  { jail: 'recidive', ip: '2001:DB8::0:1', time: NOW - 10, bantime: -1, count: 1 },
  { jail: 'sshd', ip: 'not-an-address', time: NOW - 10, bantime: 600, count: 1 },
];

test('issue 16: fail2ban database v4 — bans in force with their end and count, history for bantime.increment, once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-import-'));
  try {
    const from = fail2banDb(dir, 4, ROWS);
    const store = new MemoryBanStore();
    const report = importFail2banBans({ from, store, now: NOW, knownJails: new Set(['sshd']) });
    assert.equal(report.version, 4);
    assert.deepEqual(report.imported, [
      { jail: 'sshd', ip: '192.0.2.1', expires: NOW + 1800, banCount: 2 },
      { jail: 'recidive', ip: '2001:db8::1', expires: null, banCount: 1 },
    ]);
    assert.deepEqual(store.getBan('sshd', '192.0.2.1'), { jail: 'sshd', ip: '192.0.2.1', time: NOW - 1800, bantime: 3600, banCount: 2, matches: ['Failed password for root from 192.0.2.1'] });
    assert.equal(store.getBan('sshd', '192.0.2.2'), undefined, 'an expired ban is not resurrected');
    assert.equal(store.banCounts(['192.0.2.1'], 'sshd').get('192.0.2.1'), 2, 'the count bantime.increment continues from');
    assert.equal(store.banCounts(['192.0.2.2'], 'sshd').get('192.0.2.2'), 1);
    assert.deepEqual(report.skipped.map((s) => s.ip), ['not-an-address']);
    assert.deepEqual(report.unknownJails, ['recidive']);
    const again = importFail2banBans({ from, store, now: NOW });
    assert.deepEqual([again.imported.length, again.alreadyBanned, again.history], [0, 2, 0]);
    assert.equal(store.banCounts(['192.0.2.1'], 'sshd').get('192.0.2.1'), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 16: fail2ban database v3 and v2 — the latest ban of each address is its current one; v2 takes the jail\'s bantime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-import-'));
  try {
    const v3 = new MemoryBanStore();
    importFail2banBans({ from: fail2banDb(dir, 3, ROWS), store: v3, now: NOW });
    assert.deepEqual(v3.activeBans().map((b) => [b.ip, b.bantime, b.banCount]), [['192.0.2.1', 3600, 2], ['2001:db8::1', -1, 1]]);
    const v2 = new MemoryBanStore();
    const report = importFail2banBans({ from: fail2banDb(dir, 2, ROWS), store: v2, now: NOW, jailBantime: (jail) => (jail === 'sshd' ? 7200 : undefined) });
    assert.deepEqual(v2.activeBans().map((b) => [b.ip, b.bantime, b.banCount]), [['192.0.2.1', 7200, 2], ['2001:db8::1', 600, 1]]);
    assert.equal(report.version, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 16: a file that is not a fail2ban database, or a newer version, is refused with BANWARD_ERR_STATE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-import-'));
  try {
    const other = join(dir, 'other.sqlite3');
    new Database(other).exec('CREATE TABLE t(x)');
    const newer = fail2banDb(dir, 4, []);
    const db = new Database(newer);
    db.exec('UPDATE fail2banDb SET version = 9');
    db.close();
    for (const from of [other, newer, join(dir, 'missing.sqlite3')]) {
      assert.throws(() => importFail2banBans({ from, store: new MemoryBanStore(), now: NOW }), (e: Error & { code?: string }) => e.code === 'BANWARD_ERR_STATE');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
