import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { bannedIps, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor } from './_daemon.js';
import { assertInstalledDaemonBans } from './_installed-daemon.js';

/**
 * The unit as far as a machine without systemd as PID 1 can check it (this CI's is not systemd):
 * systemd-analyze verify of the unit `banward setup` writes; the daemon run under the unit's
 * capability bounding set, no-new-privs and heap cap, banning with nft and with ipset + iptables; and
 * the Type=notify messages, read from a real Unix datagram socket.
 */
const UNIT = readFileSync(fileURLToPath(new URL('../../../systemd/banward.service', import.meta.url)), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'banward-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));

function unitSetting(name: string): string {
  const line = UNIT.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `the unit sets ${name}`);
  return line.slice(name.length + 1);
}

it('systemd unit: systemd-analyze verify passes on the unit banward setup writes', () => {
  const unitDir = join(root, 'unit');
  execFileSync(process.execPath, [BANWARD_BIN, 'setup', '--config-dir', join(root, 'etc'), '--state-dir', join(root, 'state'),
    '--unit-dir', unitDir, '--logrotate-dir', join(root, 'logrotate.d'), '--no-enable']);
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(unitDir, 'banward.service')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warning either');
});

/** The unit's CapabilityBoundingSet, NoNewPrivileges and Environment, applied by setpriv and env. */
function asTheUnitRunsIt(): string[] {
  const caps = unitSetting('CapabilityBoundingSet').split(' ').map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`);
  assert.equal(unitSetting('NoNewPrivileges'), 'yes');
  return ['env', unitSetting('Environment'), 'setpriv', `--bounding-set=-all,${caps.join(',')}`, '--inh-caps=-all', '--no-new-privs', '--', process.execPath, BANWARD_BIN];
}

it('systemd unit: setpriv really drops capabilities (nft fails without CAP_NET_ADMIN)', () => {
  const r = spawnSync('unshare', ['--net', 'setpriv', '--bounding-set=-all', '--inh-caps=-all', '--no-new-privs', '--', 'nft', 'list', 'tables'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'nft ran without capabilities');
  assert.match(r.stderr, /Operation not permitted/);
});

for (const action of ['nftables', 'ipset']) {
  it(`systemd unit: the daemon with only the unit's capabilities, no-new-privs and its heap cap bans with ${action}`, async () => {
    await assertInstalledDaemonBans(asTheUnitRunsIt(), action);
  });
}

it('systemd unit: with only the unit\'s capabilities the daemon reads a log only its owner may read and gives its socket to --socket-group', async () => {
  const h = makeDaemonDirs('[test]\nenabled = true\nfilter = test\nlogpath = $DIR/app.log\nmaxretry = 2\naction = log[path=$DIR/actions.log]\n');
  writeFileSync(h.log, '', { mode: 0o600 });
  chownSync(h.log, 65534, 65534);
  try {
    await startDaemon(h, ['--socket-group', 'adm'], undefined, asTheUnitRunsIt());
    assert.equal(statSync(h.socket).gid, 4, 'the socket belongs to group adm (CAP_CHOWN)');
    appendFileSync(h.log, failureLine('192.0.2.7').repeat(2));
    await waitFor('the ban from the 0600 log of user nobody (CAP_DAC_READ_SEARCH)', () => bannedIps(h).includes('192.0.2.7'));
  } finally {
    await stopDaemon(h);
    rmSync(h.dir, { recursive: true, force: true });
  }
});

/** A Unix datagram socket, as systemd's $NOTIFY_SOCKET, bound by python3 (Node cannot): prints each message on a line. */
const RECEIVER = `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    data, fds, _, _ = socket.recv_fds(s, 4096, 4)
    for fd in fds: os.close(fd)  # systemd-notify's barrier: closing the fd tells it the message was read
    print(data.decode().replace("\\n", " "), flush=True)
`;

it('systemd unit: Type=notify: READY=1 with a STATUS once the jails run, RELOADING=1 and READY=1 around a HUP reload, STOPPING=1 on TERM', async () => {
  assert.equal(unitSetting('Type'), 'notify');
  assert.equal(unitSetting('NotifyAccess'), 'all');
  const socket = join(root, 'notify.sock');
  writeFileSync(join(root, 'receiver.py'), RECEIVER);
  const receiver = spawn('python3', [join(root, 'receiver.py'), socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  createInterface({ input: receiver.stdout }).on('line', (line) => messages.push(line));
  const h = makeDaemonDirs('[test]\nenabled = true\nfilter = test\nlogpath = $DIR/app.log\naction = log[path=$DIR/actions.log]\n');
  writeFileSync(h.log, '');
  try {
    await waitFor('the receiver to bind', () => messages.includes('bound'));
    await startDaemon(h, [], undefined, ['env', `NOTIFY_SOCKET=${socket}`, process.execPath, BANWARD_BIN]);
    await waitFor('READY=1', () => messages.includes('READY=1 STATUS=1 jail(s) running'));
    h.process!.kill('SIGHUP');
    await waitFor('the reload notified', () => messages.filter((m) => m.startsWith('READY=1')).length === 2);
    await stopDaemon(h);
    assert.deepEqual(messages.filter((m) => !m.startsWith('BARRIER=')), [
      'bound', 'READY=1 STATUS=1 jail(s) running', 'RELOADING=1', 'READY=1 STATUS=1 jail(s) running', 'STOPPING=1',
    ]);
  } finally {
    await stopDaemon(h);
    receiver.kill();
    rmSync(h.dir, { recursive: true, force: true });
  }
});
