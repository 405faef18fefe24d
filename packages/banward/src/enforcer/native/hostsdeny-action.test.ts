import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../log/logger.js';
import type { Applied } from './_elements.js';
import type { BanTicket } from '../ban-action.js';
import { HostsDenyAction, parseDaemonList } from './hostsdeny-action.js';
import { NATIVE_ACTIONS } from './index.js';

const NOW = 1_800_000_000;
const ticket = (ip: string, jail = 'sshd'): BanTicket => ({ jail, ip, time: NOW, bantime: 600, banCount: 1, failures: 3, matches: [] });
const ADMIN = '# /etc/hosts.deny: the admin\'s own\nALL: 198.51.100.7\nsshd: .example.org\n';

/** Counts the file rewrites: one per batch is the contract. */
class Counted extends HostsDenyAction {
  writes = 0;
  protected override rewrite(elements: Applied | null): Promise<void> {
    this.writes++;
    return super.rewrite(elements);
  }
}

function setup(jail = 'sshd', daemons = 'sshd') {
  const dir = mkdtempSync(join(tmpdir(), 'banward-hostsdeny-'));
  const file = join(dir, 'hosts.deny');
  writeFileSync(file, ADMIN);
  const action = new Counted({ jail, file, daemons, ipv6prefix: null, clock: () => NOW, log: createLogger({ level: 'error', write: () => {} }) });
  return { dir, file, action, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('hostsdeny: a batch of bans is one atomic write of banward\'s block; the admin\'s lines, mode and owner stay', async () => {
  const h = setup();
  try {
    chmodSync(h.file, 0o640);
    chownSync(h.file, 1, 2);
    await h.action.start();
    h.action.writes = 0;
    await h.action.ban([ticket('203.0.113.5'), ticket('2001:db8::1'), ticket('192.0.2.0/24'), ticket('2001:db8:1::/48')]);
    assert.equal(h.action.writes, 1, 'one write for the batch');
    assert.equal(readFileSync(h.file, 'utf8'), ADMIN + [
      '# banward begin sshd (written by banward: edits are lost)',
      'sshd: 192.0.2.0/255.255.255.0', 'sshd: 203.0.113.5', 'sshd: [2001:db8:1::]/48', 'sshd: [2001:db8::1]',
      '# banward end sshd', '',
    ].join('\n'));
    const st = statSync(h.file);
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, 1, 2], 'mode and owner preserved');
    assert.deepEqual(readdirSync(h.dir), ['hosts.deny'], 'no temporary file left');
    await h.action.unban([ticket('203.0.113.5'), ticket('192.0.2.0/24')]);
    assert.doesNotMatch(readFileSync(h.file, 'utf8'), /203\.0\.113\.5|192\.0\.2\.0/);
    await h.action.stop();
    assert.equal(readFileSync(h.file, 'utf8'), ADMIN, 'stop leaves the admin\'s file as it was');
  } finally {
    h.done();
  }
});

test('hostsdeny: reconcile reads the file back, restores a removed block and drops lines banward did not write', async () => {
  const h = setup();
  try {
    await h.action.start();
    await h.action.ban([ticket('203.0.113.5')]);
    writeFileSync(h.file, ADMIN);
    assert.equal(await h.action.check(), false, 'the block is gone');
    assert.deepEqual(await h.action.reconcile([ticket('203.0.113.5')]), { added: 1, removed: 0 });
    assert.match(readFileSync(h.file, 'utf8'), /^sshd: 203\.0\.113\.5$/m);
    writeFileSync(h.file, readFileSync(h.file, 'utf8').replace('sshd: 203.0.113.5', 'sshd: 203.0.113.5\nsshd: 203.0.113.9\nALL: nonsense here'));
    assert.deepEqual(await h.action.reconcile([ticket('203.0.113.5')]), { added: 0, removed: 1 });
    const text = readFileSync(h.file, 'utf8');
    assert.doesNotMatch(text, /203\.0\.113\.9|nonsense/);
    assert.ok(text.startsWith(ADMIN));
    assert.equal(await h.action.check(), true);
  } finally {
    h.done();
  }
});

test('hostsdeny: two jails keep separate blocks in one file; a hostile jail name cannot end a block', async () => {
  const a = setup('sshd');
  const b = new HostsDenyAction({ jail: 'x\n# banward end sshd\nALL: ALL', file: a.file, daemons: 'ALL', ipv6prefix: null, clock: () => NOW, log: createLogger({ level: 'error', write: () => {} }) });
  try {
    await a.action.start();
    await b.start();
    await a.action.ban([ticket('203.0.113.5')]);
    await b.ban([ticket('203.0.113.6', 'x\n# banward end sshd\nALL: ALL')]);
    const text = readFileSync(a.file, 'utf8');
    assert.doesNotMatch(text, /^ALL: ALL$/m, 'nothing of the name becomes a line');
    assert.match(text, /^ALL: 203\.0\.113\.6$/m);
    await a.action.stop();
    assert.doesNotMatch(readFileSync(a.file, 'utf8'), /203\.0\.113\.5/);
    assert.match(readFileSync(a.file, 'utf8'), /^ALL: 203\.0\.113\.6$/m, "the other jail's block stays");
  } finally {
    a.done();
  }
});

test('hostsdeny: daemon_list and file are checked; hostile values are refused before any write', async () => {
  assert.deepEqual(parseDaemonList(undefined), { ok: true, value: 'ALL' });
  assert.deepEqual(parseDaemonList('sshd,  vsftpd'), { ok: true, value: 'sshd, vsftpd' });
  assert.deepEqual(parseDaemonList('sshd\nvsftpd'), { ok: true, value: 'sshd, vsftpd' }, 'a newline only separates names');
  for (const bad of ['', 'ALL: ALL', 'ALL EXCEPT sshd', 'a;b', 'sshd #']) assert.equal(parseDaemonList(bad).ok, false, bad);
  const kind = NATIVE_ACTIONS['hostsdeny']!;
  assert.match((await kind.canRun({ file: 'relative/hosts.deny' })).ok ? '' : 'refused', /refused/);
  assert.equal((await kind.canRun({ file: '/nonexistent-dir/hosts.deny' })).ok, false);
  assert.equal((await kind.canRun({ daemon_list: 'ALL: ALL' })).ok, false);
  assert.equal((await kind.canRun({ file: join(tmpdir(), 'hosts.deny'), daemon_list: 'sshd' })).ok, true);
});
