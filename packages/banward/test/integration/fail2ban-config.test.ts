/**
 * `banward test-config --config /etc/fail2ban` on the stock Debian install says what each enabled jail
 * will do, and the daemon started on the same configuration (in a network namespace of the test's own, so
 * fail2ban's iptables actions touch nothing else) does exactly that.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { after, it } from 'node:test';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { clientJson, makeDaemonDirs, startDaemon, stopDaemon, type DaemonHarness } from './_daemon.js';
import { makeNetPair, type NetPair } from './_netns.js';

interface Summary { name: string; files?: string[]; journalMatch?: string[]; actions: string[]; notEnforced: string | null }
interface JailStatus { filter: { files?: string[]; journalMatch?: string[]; reports: boolean }; actions: { notEnforced?: string } }

let h: DaemonHarness | undefined;
let net: NetPair | undefined;
after(async () => {
  if (h) await stopDaemon(h);
  net?.destroy();
});

it('issue 12: test-config --config /etc/fail2ban reports what each enabled jail will do, and the started daemon agrees', async () => {
  const r = spawnSync(process.execPath, [BANWARD_BIN, 'test-config', '--config', '/etc/fail2ban', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const summary = (JSON.parse(r.stdout) as { jails: Summary[] }).jails;
  assert.ok(summary.some((j) => j.name === 'sshd'), 'Debian enables sshd (jail.d/defaults-debian.conf)');
  for (const jail of summary) assert.ok(jail.files ?? jail.journalMatch, `${jail.name} says what it reads`);
  const text = spawnSync(process.execPath, [BANWARD_BIN, 'test-config', '--config', '/etc/fail2ban'], { encoding: 'utf8' });
  assert.match(text.stdout, /^\[sshd\] reads .*filter sshd \(\d+ failregex\).*actions: iptables-multiport/m);

  net = makeNetPair();
  h = makeDaemonDirs('');
  await startDaemon(h, ['--config', '/etc/fail2ban'], net.server);
  assert.deepEqual(clientJson<{ jails: string[] }>(h, 'status').jails, summary.map((j) => j.name));
  for (const jail of summary) {
    const got: JailStatus = clientJson<JailStatus>(h, 'status', jail.name);
    assert.deepEqual(got.filter.files, jail.files, `${jail.name}: files`);
    assert.deepEqual(got.filter.journalMatch, jail.journalMatch, `${jail.name}: journal`);
    assert.equal(got.actions.notEnforced, jail.notEnforced ?? undefined, `${jail.name}: enforcement`);
  }
});
