import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ActionDriver, connects, inNs, listen, makeNetPair, ticket } from './_netns.js';

/**
 * Ubuntu's default front end: ufw enabled in the server namespace (default deny incoming, 8080 allowed),
 * and banward's native nftables action beside it. ufw's files are copies bind-mounted over /etc/ufw in a
 * private mount namespace, so the machine's own ufw configuration is never touched; its rules live in
 * the network namespace, where the test's are.
 */
function ufw(ns: string, etc: string, commands: string): void {
  const script = `mount --make-rprivate / && mount --bind "$1/ufw" /etc/ufw && mount --bind "$1/default-ufw" /etc/default/ufw && ${commands}`;
  inNs(ns, 'unshare', '-m', 'sh', '-c', script, 'sh', etc);
}

function ufwCopy(): string {
  const etc = mkdtempSync(join(tmpdir(), 'banward-ufw-'));
  cpSync('/etc/ufw', join(etc, 'ufw'), { recursive: true });
  // ufw applies its sysctl file on enable: an empty one, so nothing outside the namespace changes.
  writeFileSync(join(etc, 'sysctl.conf'), '');
  writeFileSync(join(etc, 'default-ufw'), readFileSync('/etc/default/ufw', 'utf8').replace(/^IPT_SYSCTL=.*$/m, `IPT_SYSCTL=${join(etc, 'sysctl.conf')}`));
  return etc;
}

it('ufw: with ufw enabled and allowing the port, a native nftables ban drops the client, survives ufw reload, and the unban lets it in', async () => {
  const hostConf = readFileSync('/etc/ufw/ufw.conf', 'utf8');
  const net = makeNetPair();
  const etc = ufwCopy();
  const listener = listen(net.server);
  let action: ActionDriver | null = null;
  try {
    await once(listener.stdout!, 'data');
    ufw(net.server, etc, 'ufw --force enable >/dev/null && ufw default deny incoming >/dev/null && ufw allow 8080/tcp >/dev/null');
    assert.match(inNs(net.server, 'iptables', '-w', '-S'), /-A ufw-user-input -p tcp -m tcp --dport 8080 -j ACCEPT/, 'ufw is active in the namespace');
    assert.equal(await connects(net.client, '10.77.0.1'), true, 'ufw lets the client in');

    action = new ActionDriver(net.server, 'nftables', { port: '8080', protocol: 'tcp' });
    await action.send('start');
    await action.send('ban', [ticket('10.77.0.2'), ticket('fd77::2')]);
    assert.equal(await connects(net.client, '10.77.0.1'), false, 'banned although ufw accepts the port');
    assert.equal(await connects(net.client, 'fd77::1'), false, 'IPv6 too');

    ufw(net.server, etc, 'ufw reload >/dev/null');
    assert.equal(await connects(net.client, '10.77.0.1'), false, "ufw's reload rewrites its own tables only: the ban holds");
    assert.equal((await action.send('check')).result, true);

    await action.send('unban', [ticket('10.77.0.2'), ticket('fd77::2')]);
    assert.equal(await connects(net.client, '10.77.0.1'), true, 'after the unban ufw lets it in again');
    assert.equal(readFileSync('/etc/ufw/ufw.conf', 'utf8'), hostConf, "the machine's own ufw configuration is untouched");
  } finally {
    await action?.send('stop').catch(() => undefined);
    action?.close();
    listener.kill();
    net.destroy();
    rmSync(etc, { recursive: true, force: true });
  }
});
