import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { bannedIps, client, clientJson, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor } from './_daemon.js';
import { inNs, listen, makeNetPair } from './_netns.js';

/** Whether a TCP connection from `ns` (from a given source address) to host:8080 gets the greeting. */
function reaches(ns: string, host: string, from?: string): Promise<boolean> {
  const script = `const s = require('net').connect({ host: ${JSON.stringify(host)}, port: 8080, timeout: 1000${from ? `, localAddress: ${JSON.stringify(from)}` : ''} });
    s.on('data', () => process.exit(0)); s.on('timeout', () => process.exit(1)); s.on('error', () => process.exit(1));`;
  return new Promise((resolve) => execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', script], (error) => resolve(!error)));
}

interface Backend {
  label: string;
  action: string;
  /** fail2ban's action.d, linked into the test config at run time (its files are GPL, not in the repo). */
  actionD: boolean;
  /** The action reads the firewall back and repairs it. */
  reconciles: boolean;
}

const BACKENDS: Backend[] = [
  { label: 'native nftables', action: 'nftables[port=8080, protocol=tcp]', actionD: false, reconciles: true },
  { label: "fail2ban's stock iptables-multiport through the compat layer", action: 'iptables-multiport[port=8080, protocol=tcp]', actionD: true, reconciles: false },
];

for (const backend of BACKENDS) it(`banward server bans with real packets (${backend.label}): IPv4 and IPv6, ignoreip, repair, restart restores, unban and expiry`, async () => {
  const net = makeNetPair();
  const listener = listen(net.server);
  const h = makeDaemonDirs(`[DEFAULT]
bantime = 20
findtime = 10m
maxretry = 3
backend = auto

[test]
enabled = true
filter = test
logpath = $DIR/app.log
ignoreip = 10.77.0.3
action = ${backend.action}
`);
  if (backend.actionD) symlinkSync('/etc/fail2ban/action.d', join(h.config, 'action.d'));
  writeFileSync(join(h.config, 'banward.conf'), '[Definition]\nreconcileinterval = 1\n');
  writeFileSync(h.log, '');
  try {
    await once(listener.stdout!, 'data');
    inNs(net.client, 'ip', 'addr', 'add', '10.77.0.3/24', 'dev', `${net.client}0`);
    await startDaemon(h, [], net.server);
    assert.equal(await reaches(net.client, '10.77.0.1'), true, 'reachable before any ban');

    appendFileSync(h.log, failureLine('10.77.0.2').repeat(3) + failureLine('10.77.0.3').repeat(5));
    await waitFor('the ban', () => bannedIps(h).includes('10.77.0.2'));
    await waitFor('the client blocked', async () => !(await reaches(net.client, '10.77.0.1', '10.77.0.2')));
    assert.equal(await reaches(net.client, '10.77.0.1', '10.77.0.3'), true, 'the ignoreip client is never banned');
    assert.ok(!bannedIps(h).includes('10.77.0.3'));

    if (backend.reconciles) {
      inNs(net.server, 'nft', 'flush', 'ruleset');
      await waitFor('reconciliation to block the client again', async () => !(await reaches(net.client, '10.77.0.1', '10.77.0.2')));
    }

    await stopDaemon(h);
    inNs(net.server, 'nft', 'flush', 'ruleset');
    assert.equal(await reaches(net.client, '10.77.0.1', '10.77.0.2'), true, 'no daemon, no rules');
    await startDaemon(h, [], net.server);
    assert.equal(await reaches(net.client, '10.77.0.1', '10.77.0.2'), false, 'the restart restored the ban');

    assert.equal(client(h, 'unban', '--all').code, 0);
    await waitFor('the client let in after unban', () => reaches(net.client, '10.77.0.1', '10.77.0.2'));

    appendFileSync(h.log, failureLine('fd77::2').repeat(3));
    await waitFor('the IPv6 ban', () => bannedIps(h).includes('fd77::2'));
    assert.equal(await reaches(net.client, 'fd77::1'), false, 'IPv6 blocked');
    await waitFor('the ban to expire (bantime 20 s)', () => reaches(net.client, 'fd77::1'), 40_000);
    await waitFor('the daemon to lift the expired ban', () => bannedIps(h).length === 0);
  } finally {
    await stopDaemon(h);
    listener.kill();
    net.destroy();
  }
});

it('issue 11 defect 7: eight reporting addresses of one /64 (countprefix6 = 64) ban the /64 in nftables: a 9th address of it is refused, another /64 is not', async () => {
  const net = makeNetPair();
  const listener = listen(net.server);
  // A second /64 for the client, routed over the veth: the first (fd77::/64) holds the server's own address, never banned.
  const prefix = 'fd77:0:0:1';
  const h = makeDaemonDirs(`[web-login]
enabled = true
filter =
logpath =
maxretry = 8
bantime = 1h
countprefix6 = 64
action = nftables[port=8080, protocol=tcp]
`);
  try {
    await once(listener.stdout!, 'data');
    inNs(net.client, 'ip', 'addr', 'add', `${prefix}::9/64`, 'dev', `${net.client}0`, 'nodad');
    inNs(net.server, 'ip', '-6', 'route', 'add', `${prefix}::/64`, 'dev', `${net.server}0`);
    await startDaemon(h, [], net.server);
    assert.equal(await reaches(net.client, 'fd77::1', `${prefix}::9`), true, 'the 9th address reaches the port before any ban');
    const app = { ...h, socket: h.appSocket };
    let reply: { ban: { ip: string } | null } = { ban: null };
    for (let i = 1; i <= 8; i++) reply = clientJson(app, 'report', 'web-login', `${prefix}::${i}`);
    assert.equal(reply.ban?.ip, `${prefix}::/64`, 'the report that trips the jail is answered with the prefix ban');
    assert.deepEqual(bannedIps(h, 'web-login'), [`${prefix}::/64`]);
    await waitFor('the 9th address blocked at the firewall', async () => !(await reaches(net.client, 'fd77::1', `${prefix}::9`)));
    assert.match(inNs(net.server, 'nft', 'list', 'ruleset'), new RegExp(`${prefix}::/64`));
    assert.equal(await reaches(net.client, 'fd77::1', 'fd77::2'), true, 'an address of another /64 still gets in');
    assert.deepEqual(clientJson(h, 'unban', `${prefix}::9`), { unbanned: 1 });
    await waitFor('the 9th address let in after unban', () => reaches(net.client, 'fd77::1', `${prefix}::9`));
  } finally {
    await stopDaemon(h);
    listener.kill();
    net.destroy();
  }
});
