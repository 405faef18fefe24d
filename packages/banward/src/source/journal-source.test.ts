import { strict as assert } from 'node:assert';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  JournalSource, formatJournalEntry, journalctlArgs, parseJournalLine, validateJournalOptions,
} from './journal-source.js';
import { canRunSource } from './source-registry.js';
import { MapPositions, pause, recorder, tempDir, waitFor } from './_test-support.js';

/** Entries as `journalctl --output=json` prints them (trimmed of fields nothing reads). */
const SSHD = '{"__CURSOR":"s=739ad4;i=4ece7;b=6c7ae3;m=1f0e6a2c4;t=60a1b2c3d4e5f;x=8f0f3c","__REALTIME_TIMESTAMP":"1700000000123456",'
  + '"__MONOTONIC_TIMESTAMP":"8337654468","_HOSTNAME":"web1","SYSLOG_IDENTIFIER":"sshd","_PID":"1234","_COMM":"sshd",'
  + '"SYSLOG_PID":"1234","_SYSTEMD_UNIT":"ssh.service","MESSAGE":"Failed password for root from 203.0.113.5 port 22 ssh2"}';
const KERNEL = '{"__CURSOR":"s=739ad4;i=4ece8","__REALTIME_TIMESTAMP":"1700000001000000","_SOURCE_REALTIME_TIMESTAMP":"1700000000900000",'
  + '"__MONOTONIC_TIMESTAMP":"12345678901","_HOSTNAME":"web1","SYSLOG_IDENTIFIER":"kernel","_TRANSPORT":"kernel",'
  + '"_SOURCE_MONOTONIC_TIMESTAMP":"12345678","MESSAGE":"IN=eth0 OUT= SRC=198.51.100.7"}';
/** MESSAGE not valid UTF-8: journalctl prints its bytes ("Failed \xff\nnext"). */
const BYTES = '{"__CURSOR":"s=739ad4;i=4ece9","__REALTIME_TIMESTAMP":"1700000002000000","_COMM":"app","_PID":"0x1f",'
  + '"MESSAGE":[70,97,105,108,101,100,32,255,10,110,101,120,116]}';
const MULTI = '{"__CURSOR":"s=739ad4;i=4ecea","__REALTIME_TIMESTAMP":"1700000003000000","_COMM":"app","_PID":"abc","MESSAGE":["first","second"]}';

test('journal entries are formatted as fail2ban formats them (compared with its formatJournalEntry)', () => {
  const cases: [string, string, number][] = [
    [SSHD, 'web1 sshd[1234]: Failed password for root from 203.0.113.5 port 22 ssh2', 1700000000.123456],
    [KERNEL, 'web1 kernel: [   12.345678] IN=eth0 OUT= SRC=198.51.100.7', 1700000000.9],
    [BYTES, 'app[31]: Failed \uFFFD\\nnext', 1700000002],
    [MULTI, 'app[abc]: first second', 1700000003],
  ];
  for (const [json, text, time] of cases) {
    const parsed = parseJournalLine(json);
    assert.deepEqual(parsed?.line, { text, origin: 'journal', time });
    assert.equal(parsed?.cursor, (JSON.parse(json) as { __CURSOR: string }).__CURSOR);
  }
  assert.equal(formatJournalEntry({ _HOSTNAME: 'h', MESSAGE: 'bare' }), 'h bare');
  assert.equal(parseJournalLine('-- No entries --'), undefined);
  assert.equal(parseJournalLine('[1,2]'), undefined);
});

test('journalctl arguments: matches ORed per line, flags, the cursor or the start time', () => {
  const v = validateJournalOptions({
    id: 'sshd:journal',
    journalmatch: [['_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd'], ['_SYSTEMD_UNIT=ssh.service']],
  });
  assert.ok(v.ok);
  assert.deepEqual(journalctlArgs(v.value.baseArgs, { since: 1700000000.5 }), [
    '--follow', '--output=json', '--no-pager', '--all', '--lines=all', '--since=@1700000000',
    '--system', '_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd', '+', '_SYSTEMD_UNIT=ssh.service',
  ]);
  const files = validateJournalOptions({ id: 'j', journalmatch: [], journalfiles: '/a/*.journal, /b.journal', journalflags: '8' });
  assert.ok(files.ok);
  assert.deepEqual(journalctlArgs(files.value.baseArgs, { cursor: 's=1' }).slice(5), [
    '--after-cursor=s=1', '--user', '--file=/a/*.journal', '--file=/b.journal',
  ]);
  assert.deepEqual(validateJournalOptions({ id: 'j', journalmatch: [], journalflags: 'x' }).ok, false);
});

/** A stand-in journalctl: records its arguments, prints the entries and exits the first time, then waits. */
function fakeJournalctl(dir: string): string {
  const entries = join(dir, 'entries.jsonl');
  writeFileSync(entries, [SSHD, KERNEL, ''].join('\n'));
  const script = join(dir, 'journalctl');
  writeFileSync(script, `#!/bin/sh
echo "$@" >> "${dir}/args"
if [ ! -e "${dir}/ran" ]; then touch "${dir}/ran"; cat "${entries}"; exit 0; fi
exec sleep 60
`);
  chmodSync(script, 0o755);
  return script;
}

test('journal source: lines with their time, the cursor saved, restart after exit from the cursor, stop kills it', async () => {
  const dir = tempDir();
  const positions = new MapPositions();
  const rec = recorder(positions);
  const source = new JournalSource({ id: 'sshd:journal', journalmatch: [['_COMM=sshd']], journalctl: fakeJournalctl(dir), restartDelay: 20 }, rec.ctx);
  await source.start();
  await waitFor(() => rec.lines.length === 2, 'two entries');
  await waitFor(() => readFileSync(join(dir, 'args'), 'utf8').split('\n').length > 2 && source.pid !== undefined, 'the restart');
  const pid = source.pid!;
  await source.stop();
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'journalctl is gone after stop()');
  assert.deepEqual(rec.lines.map((l) => [l.text.slice(0, 16), l.time]), [['web1 sshd[1234]:', 1700000000.123456], ['web1 kernel: [  ', 1700000000.9]]);
  assert.deepEqual(source.stats(), { linesRead: rec.lines.length, lag: [] }, 'the metrics: lines counted, no file to lag behind');
  assert.deepEqual(positions.getPosition('sshd:journal'), { kind: 'journal', cursor: 's=739ad4;i=4ece8' });
  const [firstRun, secondRun] = readFileSync(join(dir, 'args'), 'utf8').split('\n');
  assert.match(firstRun!, /--since=@1699999400 /, 'no cursor: now (the injected clock) - findtime');
  assert.match(secondRun!, /--after-cursor=s=739ad4;i=4ece8 /);
  assert.match(rec.warnings[0]!, /journalctl exited with status 0; restarting/);
});

test('real journalctl: started and stopped when installed, else canRun() says it is missing', async () => {
  const can = canRunSource('systemd', { id: 'smoke:journal', journalmatch: [['_COMM=banward-smoke-test']] });
  if (!can.ok) {
    assert.match(can.reason, /journalctl is not installed/);
    return;
  }
  const rec = recorder();
  const source = new JournalSource({ id: 'smoke:journal', journalmatch: [['_COMM=banward-smoke-test']] }, rec.ctx);
  await source.start();
  await waitFor(() => source.pid !== undefined, 'journalctl to start');
  const pid = source.pid!;
  await pause(300); // long enough for journalctl to refuse its arguments, if it did
  assert.deepEqual([source.pid, rec.warnings], [pid, []], 'journalctl accepted its arguments and keeps following');
  await source.stop();
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  assert.equal(source.pid, undefined);
});

test('issue 11 defect 6: journal entries dated before the start (less a second) are the backlog, the rest live', async () => {
  const dir = tempDir();
  const rec = recorder();
  const source = new JournalSource({ id: 'sshd:journal', journalmatch: [], journalctl: fakeJournalctl(dir), restartDelay: 60_000 },
    { ...rec.ctx, clock: () => 1_700_000_001.5 });
  await source.start();
  await waitFor(() => rec.lines.length === 2, 'two entries');
  await source.stop();
  assert.deepEqual(rec.lines.map((l) => [l.time, l.backlog === true]), [[1700000000.123456, true], [1700000000.9, false]]);
});
