import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isBanwardError } from '../errors.js';
import { FileSource } from './file-source.js';
import { JournalSource } from './journal-source.js';
import { SOURCE_REGISTRY, canRunSource, createSource, parseBackend } from './source-registry.js';
import { recorder } from './_test-support.js';

test('fail2ban backend names map onto the registry; backend options are read or ignored', () => {
  const table: [string, ReturnType<typeof parseBackend>][] = [
    ['auto', { kind: 'file', options: {}, ignored: [] }],
    ['', { kind: 'file', options: {}, ignored: [] }],
    ['pyinotify', { kind: 'file', options: {}, ignored: [] }],
    ['polling', { kind: 'polling', options: {}, ignored: [] }],
    ['systemd', { kind: 'journal', options: {}, ignored: [] }],
    ['systemd[journalflags=1, rotated=on]', { kind: 'journal', options: { journalflags: '1' }, ignored: ['rotated'] }],
    ['SYSTEMD[journalpath="/var/log/journal/x"]', { kind: 'journal', options: { journalpath: '/var/log/journal/x' }, ignored: [] }],
  ];
  for (const [backend, expected] of table) assert.deepEqual(parseBackend(backend), expected, backend);
  assert.match((parseBackend('gamin2') as { error: string }).error, /not known/);
  assert.match((parseBackend('toString') as { error: string }).error, /not known/);
});

test('every source validates its options without I/O, then says whether it can run', () => {
  for (const [kind, factory] of Object.entries(SOURCE_REGISTRY)) {
    assert.deepEqual(factory.validate({ id: '' }).ok, false, `${kind}: an empty id is refused`);
  }
  assert.deepEqual(canRunSource('auto', { id: 'a:file', logpath: ['/nowhere/yet.log'] }), { ok: true });
  assert.match((canRunSource('polling', { id: 'a:file', logpath: [] }) as { reason: string }).reason, /logpath names no file/);
  assert.match((canRunSource('auto', { id: 'a:file', logpath: ['/x'], encoding: 'utf-16le' }) as { reason: string }).reason, /not supported/);
  assert.match(
    (canRunSource('systemd', { id: 'a:journal', journalmatch: [], journalctl: '/nonexistent/journalctl' }) as { reason: string }).reason,
    /\/nonexistent\/journalctl is not installed/,
  );
});

test('createSource builds the source for the backend, or throws a BanwardError', () => {
  const rec = recorder();
  assert.ok(createSource('auto', { id: 'a:file', logpath: ['/x.log'] }, rec.ctx) instanceof FileSource);
  assert.ok(createSource('polling', { id: 'a:file', logpath: [{ path: '/x.log', tail: true }] }, rec.ctx) instanceof FileSource);
  assert.ok(createSource('systemd', { id: 'a:journal', journalmatch: [], journalctl: process.execPath }, rec.ctx) instanceof JournalSource);
  assert.throws(() => createSource('nope', { id: 'a:file' }, rec.ctx), (e) => isBanwardError(e) && e.code === 'BANWARD_ERR_CONFIG_VALUE');
  assert.throws(
    () => createSource('systemd', { id: 'a:journal', journalmatch: [], journalctl: '/nonexistent/journalctl' }, rec.ctx),
    (e) => isBanwardError(e) && /not installed/.test(e.message),
  );
});
