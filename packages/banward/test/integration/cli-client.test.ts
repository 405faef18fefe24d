import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { makeDaemonDirs, startDaemon, stopDaemon, type DaemonHarness } from './_daemon.js';

/** The client's command line as an admin types it, against a real daemon (the harness puts --socket last). */
const h: DaemonHarness = makeDaemonDirs(`[test]
enabled = true
filter = test
logpath = $DIR/app.log
action = log[path=$DIR/actions.log]
`);

function banward(...args: string[]) {
  const r = spawnSync(process.execPath, [BANWARD_BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  writeFileSync(h.log, '');
  await startDaemon(h);
});
after(() => stopDaemon(h));

it('issue 12: banward --socket P ping fails although the README says --socket may stand before the command\'s words', () => {
  const r = banward('--socket', h.socket, 'ping');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Server replied: pong\n');
  const status = banward(`--socket=${h.socket}`, 'status', 'test', '--json');
  assert.equal(status.code, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { jail: string }).jail, 'test');
});

it('issue 12: ping --json prints plain text', () => {
  const r = banward('ping', '--json', '--socket', h.socket);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), 'pong');
});

it('issue 12: argument errors print no error code (a client command refused before it reaches the daemon)', () => {
  const r = banward('--socket', h.socket, 'set', 'test', 'banip');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'banward set: expected JAIL ACTION IP... (see banward set --help) [BANWARD_ERR_USAGE]\n');
  assert.equal(banward('get', 'test', 'banip', '--json', '--socket', h.socket).stdout, '[]\n', 'nothing was banned');
});
