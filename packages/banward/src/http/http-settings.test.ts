import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDaemonSettings } from '../daemon/daemon-settings.js';

const TOKEN = 'a-token-of-enough-length-0123456789';

function dirWith(http: string, tokenMode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), 'banward-http-settings-'));
  const token = join(dir, 'admin.token');
  writeFileSync(token, TOKEN + '\n');
  chmodSync(token, tokenMode);
  writeFileSync(join(dir, 'banward.conf'), `[Definition]\n\n[http]\n${http.replaceAll('$TOKEN', token)}\n`);
  return dir;
}

function configError(fn: () => unknown, message: RegExp, line?: number): void {
  assert.throws(fn, (error: Error & { code?: string; line?: number; file?: string }) => {
    assert.equal(error.code, 'BANWARD_ERR_CONFIG_VALUE');
    assert.match(error.message, message);
    if (line !== undefined) assert.equal(error.line, line);
    assert.match(error.file ?? '', /banward\.conf$/);
    return true;
  });
}

test('[http]: off by default and with enabled = false; on, 127.0.0.1:9191 and the banward-http jail by default', () => {
  assert.equal(readDaemonSettings(dirWith('admin_token_file = $TOKEN')).http, null);
  assert.equal(readDaemonSettings(dirWith('enabled = false\nadmin_token_file = $TOKEN')).http, null);
  const http = readDaemonSettings(dirWith('enabled = true\nadmin_token_file = $TOKEN')).http;
  assert.deepEqual(http?.listen, { kind: 'tcp', host: '127.0.0.1', port: 9191, loopback: true });
  assert.equal(http?.jail, 'banward-http');
  assert.equal(http?.readTokenDigest, null);
  assert.match(http?.adminTokenDigest ?? '', /^[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(http).includes(TOKEN), 'the token itself is not kept in the settings');
});

test('[http] listen: IPv6 in brackets, a unix socket, --http turning it on; a remote address needs allow_remote', () => {
  assert.deepEqual(readDaemonSettings(dirWith('enabled = true\nlisten = [::1]:9191\nadmin_token_file = $TOKEN')).http?.listen, { kind: 'tcp', host: '::1', port: 9191, loopback: true });
  assert.deepEqual(readDaemonSettings(dirWith('enabled = true\nlisten = unix:/run/banward/http.sock\nadmin_token_file = $TOKEN')).http?.listen, { kind: 'unix', path: '/run/banward/http.sock' });
  assert.equal(readDaemonSettings(dirWith('admin_token_file = $TOKEN'), { httpListen: '127.0.0.2:8080' }).http?.listen.kind, 'tcp');
  configError(() => readDaemonSettings(dirWith('enabled = true\nlisten = 0.0.0.0:9191\nadmin_token_file = $TOKEN')), /allow_remote = true/, 5);
  assert.equal(readDaemonSettings(dirWith('enabled = true\nlisten = 0.0.0.0:9191\nallow_remote = true\nadmin_token_file = $TOKEN')).http?.listen.kind, 'tcp');
  configError(() => readDaemonSettings(dirWith('enabled = true\nlisten = 0.0.0.0:9191\nallow_remote = true\nmetrics_public = true\nadmin_token_file = $TOKEN')), /metrics_public/, 7);
  for (const listen of ['localhost:9191', '127.0.0.1', '127.0.0.1:99999', 'unix:relative.sock', '[::1]']) {
    configError(() => readDaemonSettings(dirWith(`enabled = true\nlisten = ${listen}\nadmin_token_file = $TOKEN`)), /listen/, 5);
  }
});

test('[http] token files: none, missing, empty or readable by others is a config error with file:line', () => {
  configError(() => readDaemonSettings(dirWith('enabled = true')), /needs read_token_file or admin_token_file/);
  configError(() => readDaemonSettings(dirWith('enabled = true\nadmin_token_file = $TOKEN', 0o644)), /readable by others \(mode 644\)/, 5);
  configError(() => readDaemonSettings(dirWith('enabled = true\nadmin_token_file = $TOKEN', 0o640)), /readable by others/, 5);
  configError(() => readDaemonSettings(dirWith('enabled = true\nread_token_file = /nonexistent/read.token')), /cannot be read/, 5);
  const dir = dirWith('enabled = true\nadmin_token_file = $TOKEN');
  writeFileSync(join(dir, 'admin.token'), '\n');
  configError(() => readDaemonSettings(dir), /holds no token/, 5);
  configError(() => readDaemonSettings(dirWith('enabled = true\nadmin_token_file = $TOKEN\ntrusted_proxies = 10.0.0.1 nginx')), /trusted_proxies/, 6);
});
