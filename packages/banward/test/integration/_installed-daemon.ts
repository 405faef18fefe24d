import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { bannedIps, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';
import { connects, listen, makeNetPair } from './_netns.js';

/**
 * Runs `banward server` as `banward` (an installed command: npm's, the .deb's, or wrapped in setpriv)
 * in a network namespace with a native action (nftables unless told), and checks that three failures
 * from the client namespace ban it: in the daemon and with real packets. Returns what the daemon printed.
 */
export async function assertInstalledDaemonBans(banward: readonly string[], action = 'nftables'): Promise<string> {
  const net = makeNetPair();
  const listener = listen(net.server);
  const h: DaemonHarness = makeDaemonDirs(`[DEFAULT]
bantime = 600
findtime = 10m
maxretry = 3

[test]
enabled = true
filter = test
backend = auto
logpath = $DIR/app.log
action = ${action}[port=8080, protocol=tcp]
`);
  writeFileSync(h.log, '');
  try {
    await once(listener.stdout!, 'data');
    await startDaemon(h, [], net.server, banward);
    assert.equal(await connects(net.client, '10.77.0.1'), true, 'reachable before the ban');
    appendFileSync(h.log, failureLine('10.77.0.2').repeat(3));
    await waitFor('the ban', () => bannedIps(h).includes('10.77.0.2'));
    await waitFor('the client blocked by nftables', async () => !(await connects(net.client, '10.77.0.1')));
    return h.output.join('');
  } finally {
    await stopDaemon(h);
    listener.kill();
    net.destroy();
    rmSync(h.dir, { recursive: true, force: true });
  }
}
