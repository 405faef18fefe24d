import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { assertInstalledDaemonBans } from './_installed-daemon.js';

/**
 * `npm pack` of packages/banward, installed as an admin would (`npm install -g`, here into a temp
 * prefix), then the installed `banward` run: no file of the checkout is used after the pack.
 * better-sqlite3 comes from the npm registry (or npm's cache) and builds or fetches its binary as npm
 * installs it.
 */
const PACKAGE_DIR = fileURLToPath(new URL('../../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;

const root = mkdtempSync(join(tmpdir(), 'banward-npm-'));
const prefix = join(root, 'prefix');
const banward = join(prefix, 'bin', 'banward');
const installed = join(prefix, 'lib', 'node_modules', 'banward');

function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
}

before(() => {
  run('npm', 'pack', '--pack-destination', root, PACKAGE_DIR);
  const tarball = join(root, `banward-${VERSION}.tgz`);
  assert.ok(existsSync(tarball), `npm pack wrote ${readdirSync(root).join(', ')}`);
  // npm 11 asks which packages may run install scripts; better-sqlite3's builds its native module.
  run('npm', 'install', '--global', '--prefix', prefix, '--allow-scripts=better-sqlite3', '--no-audit', '--no-fund', tarball);
});

after(() => rmSync(root, { recursive: true, force: true }));

it('npm pack: the tarball holds the bin, the built code, the bundled config and the unit, and no tests', () => {
  const files = run('tar', 'tzf', join(root, `banward-${VERSION}.tgz`)).split('\n');
  for (const f of ['package/bin/banward.js', 'package/dist/src/cli/main.js', 'package/config/jail.conf', 'package/systemd/banward.service', 'package/systemd/banward.logrotate']) {
    assert.ok(files.includes(f), f);
  }
  assert.deepEqual(files.filter((f) => /\.test\.|\/test\/|\/bench\/|\.ts$/.test(f) && !f.endsWith('.d.ts')), []);
});

it('npm install -g: banward on the prefix\'s PATH prints its version and tests the bundled config', () => {
  assert.equal(run(banward, '--version'), `banward ${VERSION}\n`);
  const out = run(banward, 'test-config', '--config', join(installed, 'config'));
  assert.match(out, /^OK: configuration test is successful \(1 jail\(s\) enabled: sshd\)$/m);
});

it('npm install -g: banward setup from the installed package writes a unit that runs the installed bin', () => {
  const target = join(root, 'root');
  const out = run(banward, 'setup', '--config-dir', join(target, 'etc/banward'), '--state-dir', join(target, 'var/lib/banward'),
    '--unit-dir', join(target, 'unit'), '--logrotate-dir', join(target, 'logrotate.d'), '--no-enable');
  assert.match(out, /^created .*\/etc\/banward\/jail\.conf$/m);
  const unit = readFileSync(join(target, 'unit', 'banward.service'), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=${process.execPath} ${installed}/bin/banward.js server --config ${target}/etc/banward `, 'm'));
  assert.match(run(banward, 'test-config', '--config', join(target, 'etc/banward')), /^OK: /m);
});

it('npm install -g: the installed daemon bans with real packets in a network namespace', async () => {
  await assertInstalledDaemonBans([banward]);
});
