import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDaemonSettings } from '../daemon/daemon-settings.js';

function fleetWith(lines: string) {
  const dir = mkdtempSync(join(tmpdir(), 'banward-fleet-settings-'));
  writeFileSync(join(dir, 'banward.conf'), `[Definition]\nloglevel = info\n\n[fleet]\n${lines.replaceAll('$DIR', dir)}\n`);
  return { dir, read: () => readDaemonSettings(dir).fleet };
}

function refused(lines: string, pattern: RegExp, line?: number) {
  assert.throws(() => fleetWith(lines).read(), (error: Error & { code?: string; line?: number; file?: string }) => {
    assert.equal(error.code, 'BANWARD_ERR_CONFIG_VALUE');
    assert.match(error.message, pattern);
    if (line !== undefined) assert.equal(error.line, line, 'the line of the option');
    assert.match(error.file ?? '', /banward\.conf$/);
    return true;
  }, lines);
}

test('no [fleet] section, or enabled = false: the fleet is off', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-fleet-settings-'));
  writeFileSync(join(dir, 'banward.conf'), '[Definition]\nloglevel = info\n');
  assert.equal(readDaemonSettings(dir).fleet, null);
  assert.equal(fleetWith('enabled = false\nredis = redis://10.0.0.1:6379/0').read(), null);
});

test('defaults: node is the host name, every jail shares and applies, keys under banward:', () => {
  assert.deepEqual(fleetWith('redis = redis://10.0.0.1').read(), {
    redis: { server: { host: '10.0.0.1', port: 6379 }, db: 0, tls: false }, node: hostname(), share: 'all', apply: 'all', prefix: 'banward:',
  });
});

test('a full configuration: password in the URL (a % written %% as everywhere in the INI files), TLS, database, node, share and apply lists, prefix', () => {
  const fleet = fleetWith('redis = rediss://:s3cr%%40t@redis.example.net:6380/2\nnode = web-1\nshare = sshd, nginx-http-auth\napply = sshd\nprefix = prod:bw:').read();
  assert.deepEqual(fleet, {
    redis: { server: { host: 'redis.example.net', port: 6380 }, db: 2, tls: true, password: 's3cr@t' },
    node: 'web-1', share: ['sshd', 'nginx-http-auth'], apply: ['sshd'], prefix: 'prod:bw:',
  });
  assert.deepEqual(fleetWith('redis = redis://[fd00::5]:7000/1\nshare = sshd').read()?.apply, ['sshd'], 'apply defaults to share');
  assert.deepEqual(fleetWith('redis = redis://[fd00::5]:7000/1').read()?.redis.server, { host: 'fd00::5', port: 7000 });
});

test('Sentinels and a password file (0600 only)', () => {
  const { dir, read } = fleetWith('sentinels = 10.0.0.1:26379, 10.0.0.2\nsentinel_name = mymaster\npassword_file = $DIR/pw');
  writeFileSync(join(dir, 'pw'), 'hunter2\n', { mode: 0o600 });
  assert.deepEqual(read()?.redis, {
    db: 0, tls: false, password: 'hunter2', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 6379 }], sentinelName: 'mymaster',
  });
  chmodSync(join(dir, 'pw'), 0o644);
  assert.throws(read, /readable by others \(mode 644\): chmod 600 it/);
});

test('bad values are refused with the file and line of the option', () => {
  refused('node = a', /needs redis =/);
  refused('redis = http://10.0.0.1', /expected redis:\/\/ or rediss:\/\//, 5);
  refused('redis = redis://10.0.0.1:6379/99', /database is a number 0-15/, 5);
  refused('redis = redis://10.0.0.1:99999', /redis must be|expected host:port/, 5);
  refused('redis = redis://10.0.0.1/0?x=1', /no query/, 5);
  refused('redis = redis://10.0.0.1\nnode = web 1', /node may hold/, 6);
  refused('redis = redis://10.0.0.1\nprefix = a b', /prefix may hold/, 6);
  refused('redis = redis://10.0.0.1\nshare = sshd, ../x', /"..\/x" is not a jail name/, 6);
  refused('redis = redis://10.0.0.1\nenabled = maybe', /enabled: expected true or false/, 6);
  refused('sentinels = 10.0.0.1:26379', /sentinel_name/, 5);
  refused('sentinels = 10.0.0.1:abc\nsentinel_name = m', /expected host:port/, 5);
  refused('redis = redis://:pw@10.0.0.1\npassword_file = /nonexistent/pw', /keep one/, 6);
  refused('redis = redis://10.0.0.1\npassword_file = /nonexistent/pw', /password_file \/nonexistent\/pw: ENOENT/, 6);
});

test('tls_ca_file: the CA read at start for rediss://; sentinel_password_file: the Sentinels\' own password', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const tls = fleetWith('redis = rediss://10.0.0.1:6380\ntls_ca_file = $DIR/ca.pem');
  writeFileSync(join(tls.dir, 'ca.pem'), pem, { mode: 0o644 });
  assert.equal(tls.read()?.redis.tlsCa, pem, 'a CA is public: any mode');
  writeFileSync(join(tls.dir, 'ca.pem'), 'not a certificate');
  assert.throws(tls.read, /holds no PEM certificate/);
  refused('redis = redis://10.0.0.1\ntls_ca_file = /etc/ssl/ca.pem', /tls_ca_file needs redis = rediss:\/\//, 6);
  refused('redis = rediss://10.0.0.1\ntls_ca_file = /nonexistent/ca.pem', /tls_ca_file \/nonexistent\/ca.pem: ENOENT/, 6);

  const sentinels = fleetWith('sentinels = 10.0.0.1:26379\nsentinel_name = m\npassword_file = $DIR/pw\nsentinel_password_file = $DIR/spw');
  writeFileSync(join(sentinels.dir, 'pw'), 'data\n', { mode: 0o600 });
  writeFileSync(join(sentinels.dir, 'spw'), 'sentinel\n', { mode: 0o600 });
  assert.deepEqual([sentinels.read()?.redis.password, sentinels.read()?.redis.sentinelPassword], ['data', 'sentinel']);
  chmodSync(join(sentinels.dir, 'spw'), 0o640);
  assert.throws(sentinels.read, /sentinel_password_file .* is readable by others \(mode 640\)/);
  refused('redis = redis://10.0.0.1\nsentinel_password_file = /etc/pw', /sentinel_password_file needs sentinels =/, 6);
});
