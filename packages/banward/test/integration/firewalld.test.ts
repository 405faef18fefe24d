import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { waitFor } from './_daemon.js';
import { ActionDriver, connects, inNs, listen, makeNetPair, ticket, type NetPair } from './_netns.js';

/**
 * A real firewalld in the server namespace. It needs D-Bus: the test runs a private system bus (a
 * dbus-daemon of its own on a socket in a temporary directory, found through DBUS_SYSTEM_BUS_ADDRESS),
 * and firewalld keeps its permanent configuration in a temporary --system-config, so neither the
 * machine's bus nor its /etc/firewalld is touched.
 */
interface Firewalld {
  env: NodeJS.ProcessEnv;
  cmd(...args: string[]): string;
  stop(): void;
}

const BUS_CONF = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`;

async function startFirewalld(ns: string, dir: string): Promise<Firewalld> {
  writeFileSync(join(dir, 'bus.conf'), BUS_CONF(join(dir, 'bus.sock')));
  mkdirSync(join(dir, 'etc'));
  const bus = execFileSync('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--fork', '--print-pid'], { encoding: 'utf8' }).trim();
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(dir, 'bus.sock')}` };
  const daemon: ChildProcess = spawn('ip', ['netns', 'exec', ns, 'firewalld', '--nofork', '--nopid', '--system-config', join(dir, 'etc'), '--log-target', 'file', '--log-file', join(dir, 'firewalld.log')], { env, stdio: 'ignore' });
  const cmd = (...args: string[]) => execFileSync('firewall-cmd', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    daemon.kill();
    try { process.kill(Number(bus)); } catch { /* gone */ }
  };
  try {
    await waitFor('firewalld to run', () => { try { return cmd('--state').trim() === 'running'; } catch { return false; } }, 60_000);
  } catch (error) {
    stop();
    throw new Error(`${(error as Error).message}\n${readFileSync(join(dir, 'firewalld.log'), 'utf8').slice(-2000)}`);
  }
  return { env, cmd, stop };
}

async function withFirewalld(body: (net: NetPair, fw: Firewalld, action: ActionDriver) => Promise<void>): Promise<void> {
  const net = makeNetPair();
  const dir = mkdtempSync(join(tmpdir(), 'banward-firewalld-'));
  const listener = listen(net.server);
  let fw: Firewalld | null = null;
  let action: ActionDriver | null = null;
  try {
    await once(listener.stdout!, 'data');
    fw = await startFirewalld(net.server, dir);
    // The public zone (the veth's) lets the test's port in; only the ban should stop the client.
    fw.cmd('--permanent', '--zone=public', '--add-port=8080/tcp');
    fw.cmd('--reload');
    assert.equal(await connects(net.client, '10.77.0.1'), true, 'firewalld lets the client in');
    action = new ActionDriver(net.server, 'firewalld', { port: '8080', protocol: 'tcp' }, { env: fw.env });
    await action.send('start');
    await body(net, fw, action);
  } finally {
    action?.close();
    fw?.stop();
    listener.kill();
    net.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const BANNED = [ticket('10.77.0.2'), ticket('fd77::2')];

it('firewalld: bans and unbans real connections through firewall-cmd, a batch is one call per family', () => withFirewalld(async (net, fw, action) => {
  assert.equal((await action.send('check')).result, true);
  assert.match(fw.cmd('--zone=drop', '--list-sources'), /ipset:bw-test-4/);
  const ban = await action.send('ban', [...BANNED, ticket('192.0.2.0/24')]);
  assert.deepEqual(ban.calls.map((c) => c.replace(/from-file=\S+/, 'from-file=F')), [
    'firewall-cmd --ipset=bw-test-4 --add-entries-from-file=F',
    'firewall-cmd --ipset=bw-test-6 --add-entries-from-file=F',
  ]);
  assert.equal(await connects(net.client, '10.77.0.1'), false, 'the banned client cannot connect');
  assert.equal(await connects(net.client, 'fd77::1'), false, 'over IPv6 neither');
  await action.send('unban', BANNED);
  assert.equal(await connects(net.client, '10.77.0.1'), true, 'after the unban it connects again');
  assert.equal(await connects(net.client, 'fd77::1'), true);
}));

it('firewalld: a firewalld reload drops the runtime entries, reconcile puts them back; stop removes the ipsets', () => withFirewalld(async (net, fw, action) => {
  await action.send('ban', BANNED);
  fw.cmd('--reload');
  assert.equal(await connects(net.client, '10.77.0.1'), true, 'the reload lifted the bans');
  assert.deepEqual((await action.send('reconcile', BANNED)).result, { added: 2, removed: 0 });
  assert.equal(await connects(net.client, '10.77.0.1'), false, 'reconcile put them back');
  assert.deepEqual((await action.send('reconcile', [])).result, { added: 0, removed: 2 });
  assert.equal(await connects(net.client, '10.77.0.1'), true, 'stale bans are removed');
  await action.send('stop');
  assert.doesNotMatch(fw.cmd('--permanent', '--get-ipsets'), /bw-test/);
  assert.doesNotMatch(fw.cmd('--zone=drop', '--list-sources'), /bw-test/);
  assert.match(inNs(net.server, 'nft', 'list', 'tables'), /firewalld/, 'firewalld itself stays');
}));
