import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ActionDriver, connects, inNs, listen, makeNetPair, ticket } from './_netns.js';

/**
 * A real shorewall in the server namespace, its configuration in a temporary directory (`shorewall start
 * DIR`) and its state directory bind-mounted over /var/lib/shorewall in a private mount namespace, so the
 * machine's shorewall is never touched. blrules matches the jail's set, as the README tells admins.
 */
function shorewall(ns: string, dir: string, command: 'start' | 'restart'): void {
  inNs(ns, 'unshare', '-m', 'sh', '-c', 'mount --make-rprivate / && mount --bind "$1/var" /var/lib/shorewall && shorewall -q "$2" "$1/etc" >/dev/null', 'sh', dir, command);
}

function shorewallConfig(iface: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'banward-shorewall-'));
  const etc = join(dir, 'etc');
  mkdirSync(etc);
  mkdirSync(join(dir, 'var'));
  const examples = '/usr/share/doc/shorewall/examples/one-interface';
  for (const file of ['zones', 'policy']) copyFileSync(join(examples, file), join(etc, file));
  writeFileSync(join(etc, 'shorewall.conf'), readFileSync(join(examples, 'shorewall.conf'), 'utf8')
    .replace(/^STARTUP_ENABLED=.*$/m, 'STARTUP_ENABLED=Yes').replace(/^LOGFILE=.*$/m, `LOGFILE=${join(dir, 'log')}`));
  writeFileSync(join(etc, 'interfaces'), `?FORMAT 2\nnet ${iface} physical=${iface}\n`);
  writeFileSync(join(etc, 'rules'), '?SECTION NEW\nACCEPT net $FW tcp 8080\n');
  writeFileSync(join(etc, 'blrules'), 'DROP net:+bw-test-4 all\n');
  return dir;
}

it('shorewall: banward keeps the jail\'s ipset, shorewall\'s blrules drops it; bans, unbans, survives a shorewall restart, reconciles a flushed set', async () => {
  const net = makeNetPair();
  const dir = shorewallConfig(`${net.server}0`);
  const listener = listen(net.server);
  let action: ActionDriver | null = null;
  try {
    await once(listener.stdout!, 'data');
    action = new ActionDriver(net.server, 'shorewall', { port: '8080', protocol: 'tcp' });
    // banward first: shorewall refuses to start with a blrules set that does not exist.
    await action.send('start');
    shorewall(net.server, dir, 'start');
    assert.match(inNs(net.server, 'iptables', '-w', '-S'), /--match-set bw-test-4 src -j DROP/, 'shorewall compiled blrules');
    assert.doesNotMatch(inNs(net.server, 'iptables', '-w', '-S', 'INPUT'), /bw-test/, 'banward added no rule of its own');
    assert.equal(await connects(net.client, '10.77.0.1'), true, 'shorewall lets the client in');

    const ban = await action.send('ban', [ticket('10.77.0.2')]);
    assert.equal(ban.calls.length, 1, `one ipset restore: ${ban.calls.join('; ')}`);
    assert.equal(await connects(net.client, '10.77.0.1'), false, 'banned');
    shorewall(net.server, dir, 'restart');
    assert.equal(await connects(net.client, '10.77.0.1'), false, 'a shorewall restart keeps the set, so the ban');

    inNs(net.server, 'ipset', 'flush', 'bw-test-4');
    assert.equal(await connects(net.client, '10.77.0.1'), true);
    assert.deepEqual((await action.send('reconcile', [ticket('10.77.0.2')])).result, { added: 1, removed: 0 });
    assert.equal(await connects(net.client, '10.77.0.1'), false, 'reconcile put the ban back');

    await action.send('unban', [ticket('10.77.0.2')]);
    assert.equal(await connects(net.client, '10.77.0.1'), true, 'unbanned');
  } finally {
    action?.close();
    listener.kill();
    net.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
