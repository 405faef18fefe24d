import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FleetStatus } from '../../src/fleet/index.js';
import { client, clientJson, waitFor } from './_daemon.js';
import { makeFleet, type Fleet, type FleetMember } from './_fleet.js';
import { nftSet } from './_firewall-state.js';
import { startRedisServer, type RedisServer } from './_redis-server.js';

/**
 * The ways `[fleet]` reaches Redis besides plain redis:// (fleet.test.ts): a password from
 * password_file, TLS with the server's certificate checked against tls_ca_file, and Sentinel (with a
 * failover). One daemon in its network namespace, real redis-servers in another, started per case.
 */
const JAILS = `[DEFAULT]
bantime = 1h
backend = auto
action = nftables[port=8080, protocol=tcp]

[test]
enabled = true
filter = test
logpath = $DIR/app.log
maxretry = 3
`;
const PASSWORD = 'c0rrect horse';

describe('the fleet node against a real redis-server: password, TLS, Sentinel', { timeout: 300_000 }, () => {
  let fleet: Fleet;
  let node: FleetMember;
  let redisAt: string;
  let dir: string;
  const servers: RedisServer[] = [];
  const start = async (args: string[], cli: string[]) => {
    const server = await startRedisServer(fleet.redisNs, ['--bind', `127.0.0.1 ${redisAt}`, '--protected-mode', 'no', '--save', '', '--dir', mkdtempSync(join(dir, 'redis-')), ...args], cli);
    servers.push(server);
    return server;
  };
  const status = () => clientJson<FleetStatus>(node.daemon, 'fleet');
  /** The node restarted with no state, its `[fleet]` section these lines. */
  const restartNode = async (fleetLines: string) => {
    await fleet.stopNode(node);
    rmSync(node.daemon.state, { recursive: true, force: true });
    writeFileSync(join(node.daemon.config, 'banward.conf'), `[Definition]\ndbpurgeage = 1d\n\n[fleet]\nnode = node-1\n${fleetLines}\n`);
    await fleet.startNode(node);
  };
  const streamIps = (redis: RedisServer) => new Set(redis.cli(['--raw', 'XRANGE', 'banward:decisions', '-', '+']).split('\n')
    .flatMap((line) => (line.startsWith('{') ? [(JSON.parse(line) as { ip: string }).ip] : [])));
  /** A ban on the node reaches the stream, and one another node XADDs reaches the node's nft set. */
  const sharesBans = async (redis: RedisServer, mine: string, theirs: string) => {
    assert.equal(client(node.daemon, 'set', 'test', 'banip', mine).code, 0);
    await waitFor(`${mine} in the stream`, () => streamIps(redis).has(mine), 30_000);
    const now = Math.floor(Date.now() / 1000);
    const message = { v: 1, id: `other-${theirs.replaceAll('.', '-')}`, node: 'node-2', type: 'ban', jail: 'test', ip: theirs, time: now, end: now + 600, bantime: 600, banCount: 1 };
    redis.cli(['XADD', 'banward:decisions', '*', 'msg', JSON.stringify(message)]);
    await waitFor(`${theirs} in the node's nft set`, () => nftSet(node.ns, 'test-v4').has(theirs), 30_000);
  };
  const stopServers = async () => {
    for (const server of servers.splice(0)) await server.kill();
  };

  before(() => {
    fleet = makeFleet(JAILS, 1);
    node = fleet.members[0]!;
    redisAt = node.redisAddress;
    dir = mkdtempSync(join(tmpdir(), 'banward-fleet-connection-'));
  });

  after(async () => {
    await stopServers();
    await fleet?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('requirepass and password_file: a wrong password is a state the node reports (it keeps banning alone); the right one shares bans both ways', async () => {
    const redis = await start(['--port', '6379', '--requirepass', PASSWORD], ['-h', redisAt, '-p', '6379', '-a', PASSWORD]);
    const passwordFile = join(dir, 'redis.pass');
    writeFileSync(passwordFile, 'wrong\n', { mode: 0o600 });
    await restartNode(`redis = redis://${redisAt}:6379/0\npassword_file = ${passwordFile}`);
    await waitFor('the refused password in the node\'s status', () => /WRONGPASS/.test(status().error ?? ''), 30_000);
    assert.equal(status().connected, false);
    assert.match(client(node.daemon, 'fleet').stdout, /Redis:\s+not connected \(\w+: WRONGPASS/);
    assert.equal(client(node.daemon, 'set', 'test', 'banip', '198.51.100.1').code, 0);
    assert.ok(nftSet(node.ns, 'test-v4').has('198.51.100.1'), 'the node bans alone');
    await waitFor('the ban queued in the outbox', () => status().queue === 1);

    writeFileSync(passwordFile, `${PASSWORD}\n`);
    await fleet.stopNode(node);
    await fleet.startNode(node);
    await waitFor('the node connected', () => status().connected, 30_000);
    assert.equal(status().error, null);
    await waitFor('the queued ban sent', () => streamIps(redis).has('198.51.100.1'), 30_000);
    await sharesBans(redis, '198.51.100.2', '198.51.100.3');
    await stopServers();
  });

  it('rediss:// with tls_ca_file: a server whose certificate another CA signed is refused, the one the file trusts is used', async () => {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(join(dir, 'san.ext'), `subjectAltName = IP:${redisAt}\n`);
    for (const ca of ['trusted', 'rogue']) {
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${ca}-ca.key`, '-out', `${ca}-ca.pem`, '-days', '2', '-subj', `/CN=banward test ${ca} CA`);
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${ca}-server.key`, '-out', `${ca}-server.csr`, '-subj', '/CN=redis');
      openssl('x509', '-req', '-in', `${ca}-server.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca.key`, '-CAcreateserial', '-out', `${ca}-server.pem`, '-days', '2', '-extfile', 'san.ext');
    }
    const tlsServer = (ca: string) => start(
      ['--port', '0', '--tls-port', '6380', '--tls-cert-file', join(dir, `${ca}-server.pem`), '--tls-key-file', join(dir, `${ca}-server.key`),
        '--tls-ca-cert-file', join(dir, `${ca}-ca.pem`), '--tls-auth-clients', 'no'],
      ['--tls', '--cacert', join(dir, `${ca}-ca.pem`), '-h', redisAt, '-p', '6380']);

    await tlsServer('rogue');
    await restartNode(`redis = rediss://${redisAt}:6380/0\ntls_ca_file = ${join(dir, 'trusted-ca.pem')}`);
    await waitFor('the untrusted certificate in the node\'s status', () => /certificate/i.test(status().error ?? ''), 30_000);
    assert.equal(status().connected, false);
    assert.match(client(node.daemon, 'fleet').stdout, /Redis:\s+not connected \(\w+: .*certificate/i);
    await stopServers();

    const redis = await tlsServer('trusted');
    await waitFor('the node connected over TLS', () => status().connected, 30_000);
    await sharesBans(redis, '198.51.100.11', '198.51.100.12');
    await stopServers();
  });

  it('sentinels and sentinel_name: the node finds the master, shares bans, and keeps sharing after a failover to the replica', async () => {
    const passwordFile = join(dir, 'sentinel-redis.pass');
    const sentinelPasswordFile = join(dir, 'sentinel.pass');
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    writeFileSync(sentinelPasswordFile, 'sentinel only\n', { mode: 0o600 });
    const auth = ['--requirepass', PASSWORD, '--masterauth', PASSWORD, '--replica-announce-ip', redisAt];
    const first = await start(['--port', '6381', ...auth], ['-h', redisAt, '-p', '6381', '-a', PASSWORD]);
    const second = await start(['--port', '6382', '--replicaof', redisAt, '6381', ...auth], ['-h', redisAt, '-p', '6382', '-a', PASSWORD]);
    // The Sentinel's password is not the data nodes': the node must give each its own.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [`port 26379`, `bind 127.0.0.1 ${redisAt}`, 'protected-mode no', `dir ${dir}`, 'requirepass "sentinel only"',
      `sentinel monitor mymaster ${redisAt} 6381 1`, `sentinel auth-pass mymaster "${PASSWORD}"`,
      'sentinel down-after-milliseconds mymaster 2000', 'sentinel failover-timeout mymaster 10000', ''].join('\n'));
    const sentinel = await startRedisServer(fleet.redisNs, [conf, '--sentinel'], ['-h', redisAt, '-p', '26379', '-a', 'sentinel only']);
    servers.push(sentinel);

    const outputBefore = node.daemon.output.length;
    await restartNode(`sentinels = ${redisAt}:26379\nsentinel_name = mymaster\npassword_file = ${passwordFile}\nsentinel_password_file = ${sentinelPasswordFile}`);
    await waitFor('the node connected through the Sentinel', () => status().connected, 30_000);
    await sharesBans(first, '198.51.100.21', '198.51.100.22');

    await waitFor('the Sentinel to know the replica', () => /6382/.test(sentinel.cli(['SENTINEL', 'REPLICAS', 'mymaster'])), 60_000);
    await waitFor('the failover to start', () => /^OK/.test(sentinel.cli(['SENTINEL', 'FAILOVER', 'mymaster'])), 60_000);
    await waitFor('the replica promoted', () => second.cli(['ROLE']).startsWith('master'), 60_000);
    await waitFor('the old master a replica', () => first.cli(['ROLE']).startsWith('slave'), 60_000);
    await waitFor('the node connected to the new master', () => status().connected, 60_000);
    await sharesBans(second, '198.51.100.23', '198.51.100.24');
    assert.doesNotMatch(node.daemon.output.slice(outputBefore).join(''), /^\[WARN\]|NOAUTH|WRONGPASS/m, 'each server was given its own password');
    await stopServers();
  });
});
