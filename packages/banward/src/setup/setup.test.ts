import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, test } from 'node:test';
import type { ProcessResult } from '../process/index.js';
import { NEW_VERSION_SUFFIX, runRemove, runSetup, unitFor, type SetupOptions, type SetupPaths, type Systemd } from './index.js';

const shippedPath = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const SHIPPED = {
  configDir: shippedPath('config'),
  unitFile: shippedPath('systemd/banward.service'),
  logrotateFile: shippedPath('systemd/banward.logrotate'),
  command: ['/usr/bin/node', '/usr/lib/node_modules/banward/bin/banward.js'],
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPaths(): SetupPaths {
  const root = mkdtempSync(join(tmpdir(), 'banward-setup-'));
  dirs.push(root);
  return { configDir: join(root, 'etc/banward'), stateDir: join(root, 'var/lib/banward'), unitDir: join(root, 'etc/systemd/system'), logrotateDir: join(root, 'etc/logrotate.d') };
}

function ok(stdout = ''): ProcessResult {
  return { ok: true, started: true, code: 0, signal: null, timedOut: false, stdout, stderr: '', truncated: false, reason: null };
}

/** systemd as a recording fake: `active` says what is-enabled/is-active answer. */
function fakeSystemd(running: boolean, active = false): Systemd & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    notRunning: () => (running ? null : 'systemd is not running here (PID 1 is test)'),
    systemctl: async (args) => {
      calls.push(args.join(' '));
      const query = args[0] === 'is-enabled' || args[0] === 'is-active';
      return query && !active ? { ...ok(), ok: false, code: 1 } : ok();
    },
  };
}

function options(paths: SetupPaths, systemd: Systemd, lines: string[]): SetupOptions {
  return { paths, shipped: SHIPPED, systemd, say: (line) => lines.push(line) };
}

async function setup(paths: SetupPaths, systemd: Systemd = fakeSystemd(false)): Promise<{ changed: boolean; lines: string[] }> {
  const lines: string[] = [];
  const changed = await runSetup({ ...options(paths, systemd, lines), enable: true });
  return { changed, lines };
}

test('setup: a fresh run creates the config tree (not the samples), the state dir 0700, the unit and the logrotate file, line by line', async () => {
  const paths = tempPaths();
  const { changed, lines } = await setup(paths);
  assert.equal(changed, true);
  assert.equal(readFileSync(join(paths.configDir, 'jail.conf'), 'utf8'), readFileSync(join(SHIPPED.configDir, 'jail.conf'), 'utf8'));
  assert.ok(existsSync(join(paths.configDir, 'filter.d/sshd.conf')));
  assert.equal(existsSync(join(paths.configDir, 'samples')), false);
  assert.equal(statSync(paths.stateDir).mode & 0o777, 0o700);
  const unit = readFileSync(join(paths.unitDir, 'banward.service'), 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=/usr/bin/node /usr/lib/node_modules/banward/bin/banward.js server --config ${paths.configDir} --state-dir ${paths.stateDir} `, 'm'));
  assert.equal(readFileSync(join(paths.logrotateDir, 'banward'), 'utf8'), readFileSync(SHIPPED.logrotateFile, 'utf8'));
  assert.ok(lines.includes(`created ${paths.stateDir} (mode 0700)`));
  assert.ok(lines.includes(`created ${join(paths.configDir, 'jail.conf')}`));
  assert.ok(lines.includes(`created ${join(paths.unitDir, 'banward.service')}`));
  assert.ok(lines.includes(`did not run systemctl: systemd is not running here (PID 1 is test); start the daemon with: ${SHIPPED.command.join(' ')} server --config ${paths.configDir} --state-dir ${paths.stateDir}`), lines.join('\n'));
  assert.equal(lines.at(-1), 'setup done');
});

test('setup: a second run changes nothing and says so', async () => {
  const paths = tempPaths();
  await setup(paths);
  const before = readFileSync(join(paths.stateDir, 'setup-manifest.json'), 'utf8');
  const { changed, lines } = await setup(paths);
  assert.equal(changed, false);
  assert.equal(lines.some((l) => l.startsWith('created') || l.startsWith('updated')), false, lines.join('\n'));
  assert.equal(lines.at(-1), 'setup done: nothing changed, everything was in place');
  assert.equal(readFileSync(join(paths.stateDir, 'setup-manifest.json'), 'utf8'), before);
});

test('setup: a file the admin changed is kept, the shipped version written beside it, and a rerun keeps both as they are', async () => {
  const paths = tempPaths();
  await setup(paths);
  const jailConf = join(paths.configDir, 'jail.conf');
  writeFileSync(jailConf, '[sshd]\nenabled = false\n');
  const { changed, lines } = await setup(paths);
  assert.equal(changed, true);
  assert.equal(readFileSync(jailConf, 'utf8'), '[sshd]\nenabled = false\n');
  assert.equal(readFileSync(jailConf + NEW_VERSION_SUFFIX, 'utf8'), readFileSync(join(SHIPPED.configDir, 'jail.conf'), 'utf8'));
  assert.ok(lines.includes(`kept ${jailConf} (changed by the admin); the shipped version is in ${jailConf}${NEW_VERSION_SUFFIX}`), lines.join('\n'));
  const again = await setup(paths);
  assert.equal(again.changed, false, again.lines.join('\n'));
  assert.ok(again.lines.some((l) => l.startsWith(`kept ${jailConf}`)));
});

test('setup: a file that was there before setup ever ran is the admin\'s, and is kept', async () => {
  const paths = tempPaths();
  const banwardConf = join(paths.configDir, 'banward.conf');
  await setup(paths);
  rmSync(join(paths.stateDir, 'setup-manifest.json'));
  writeFileSync(banwardConf, '[Definition]\nloglevel = DEBUG\n');
  const { lines } = await setup(paths);
  assert.equal(readFileSync(banwardConf, 'utf8'), '[Definition]\nloglevel = DEBUG\n');
  assert.ok(lines.some((l) => l.startsWith(`kept ${banwardConf} (changed by the admin)`)));
});

test('setup: a file still as setup wrote it is updated to the shipped version, and a stale .banward-new goes once the admin reverts', async () => {
  const paths = tempPaths();
  await setup(paths);
  const jailConf = join(paths.configDir, 'jail.conf');
  const manifestPath = join(paths.stateDir, 'setup-manifest.json');
  // As if an older release had written jail.conf: the manifest holds the hash of what is on disk.
  writeFileSync(jailConf, '# an older release\n');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
  manifest.files[jailConf] = createHash('sha256').update('# an older release\n').digest('hex');
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const { lines } = await setup(paths);
  assert.ok(lines.includes(`updated ${jailConf}`), lines.join('\n'));
  assert.equal(readFileSync(jailConf, 'utf8'), readFileSync(join(SHIPPED.configDir, 'jail.conf'), 'utf8'));

  writeFileSync(jailConf, 'mine\n');
  await setup(paths);
  assert.ok(existsSync(jailConf + NEW_VERSION_SUFFIX));
  writeFileSync(jailConf, readFileSync(join(SHIPPED.configDir, 'jail.conf')));
  const reverted = await setup(paths);
  assert.equal(existsSync(jailConf + NEW_VERSION_SUFFIX), false);
  assert.ok(reverted.lines.some((l) => l.startsWith(`unchanged ${jailConf} (removed`)), reverted.lines.join('\n'));
});

test('setup: with systemd running it reloads units and enables the service; once running, a rerun calls nothing that changes', async () => {
  const paths = tempPaths();
  const systemd = fakeSystemd(true);
  const { lines } = await setup(paths, systemd);
  assert.deepEqual(systemd.calls, ['daemon-reload', 'is-enabled --quiet banward.service', 'enable --now banward.service']);
  assert.ok(lines.includes('ran systemctl enable --now banward.service'));
  const running = fakeSystemd(true, true);
  const again = await setup(paths, running);
  assert.deepEqual(running.calls, ['is-enabled --quiet banward.service', 'is-active --quiet banward.service']);
  assert.equal(again.changed, false);
  assert.ok(again.lines.includes('banward.service is enabled and running'));
});

test('setup: --no-enable installs and reloads the unit but does not enable it', async () => {
  const paths = tempPaths();
  const systemd = fakeSystemd(true);
  const lines: string[] = [];
  await runSetup({ ...options(paths, systemd, lines), enable: false });
  assert.deepEqual(systemd.calls, ['daemon-reload']);
  assert.ok(lines.includes('did not enable banward.service (--no-enable)'));
});

test('setup: a systemctl that fails stops setup with its message; the files stay installed and a rerun goes on', async () => {
  const paths = tempPaths();
  const failing: Systemd = {
    notRunning: () => null,
    systemctl: async (args) => (args[0] === 'enable' ? { ...ok(), ok: false, code: 1, stderr: 'Failed to enable unit: Unit file banward.service is masked.\n' } : { ...ok(), ok: args[0] === 'daemon-reload', code: args[0] === 'daemon-reload' ? 0 : 3 }),
  };
  await assert.rejects(setup(paths, failing), (e: Error & { code?: string }) => e.code === 'BANWARD_ERR_SETUP'
    && e.message === 'systemctl enable --now banward.service failed: Failed to enable unit: Unit file banward.service is masked.');
  assert.ok(existsSync(join(paths.unitDir, 'banward.service')));
  const again = await setup(paths, fakeSystemd(true));
  assert.ok(again.lines.includes('ran systemctl enable --now banward.service'));
  assert.equal(again.lines.some((l) => l.startsWith('created')), false);
});

test('setup --remove: removes what setup wrote, keeps the admin\'s changes and the state dir', async () => {
  const paths = tempPaths();
  await setup(paths);
  const jailConf = join(paths.configDir, 'jail.conf');
  writeFileSync(jailConf, 'mine\n');
  await setup(paths);
  writeFileSync(join(paths.stateDir, 'banward.sqlite3'), 'bans');
  const systemd = fakeSystemd(true);
  const lines: string[] = [];
  await runRemove({ ...options(paths, systemd, lines), purge: false });
  assert.deepEqual(systemd.calls, ['disable --now banward.service', 'daemon-reload']);
  assert.equal(readFileSync(jailConf, 'utf8'), 'mine\n');
  assert.equal(existsSync(jailConf + NEW_VERSION_SUFFIX), false);
  assert.equal(existsSync(join(paths.configDir, 'filter.d')), false);
  assert.equal(existsSync(join(paths.unitDir, 'banward.service')), false);
  assert.equal(existsSync(join(paths.logrotateDir, 'banward')), false);
  assert.equal(existsSync(join(paths.stateDir, 'banward.sqlite3')), true);
  assert.equal(existsSync(join(paths.stateDir, 'setup-manifest.json')), false);
  assert.ok(lines.includes(`kept ${jailConf} (changed by the admin)`));
  assert.ok(lines.includes(`removed ${join(paths.configDir, 'filter.d')}/`));
  assert.ok(lines.includes(`kept ${paths.stateDir}/ (the bans and ban history; --purge removes it)`));
});

test('setup --remove --purge: the admin\'s changed files and the state dir go too, and nothing is left', async () => {
  const paths = tempPaths();
  await setup(paths);
  writeFileSync(join(paths.configDir, 'jail.conf'), 'mine\n');
  const lines: string[] = [];
  await runRemove({ ...options(paths, fakeSystemd(false), lines), purge: true });
  for (const dir of [paths.configDir, paths.stateDir]) assert.equal(existsSync(dir), false, dir);
  assert.equal(existsSync(join(paths.unitDir, 'banward.service')), false);
  assert.ok(lines.includes(`removed ${join(paths.configDir, 'jail.conf')} (changed by the admin; --purge)`));
  assert.ok(lines.includes('did not run systemctl: systemd is not running here (PID 1 is test)'));
});

test('setup: a damaged manifest is refused by name, not overwritten', async () => {
  const paths = tempPaths();
  await setup(paths);
  const manifest = join(paths.stateDir, 'setup-manifest.json');
  for (const text of ['{', '{"files": {"/etc/x": "not a hash"}}', '{"files": []}', 'null']) {
    writeFileSync(manifest, text);
    await assert.rejects(setup(paths), (e: Error & { code?: string }) => e.code === 'BANWARD_ERR_SETUP' && e.message.includes(manifest), text);
    assert.equal(readFileSync(manifest, 'utf8'), text);
  }
});

test('setup: a path systemd would read specifiers or words in is refused for the unit', () => {
  const paths = { configDir: '/etc/banward', stateDir: '/var/lib/banward', unitDir: '/u', logrotateDir: '/l' };
  const unit = readFileSync(SHIPPED.unitFile, 'utf8');
  for (const bad of ['/tmp/a b', '/tmp/%h', '/tmp/$HOME', '/tmp/a;b', 'relative', '/tmp/"q"', '/tmp/a\nExecStartPre=/bin/sh']) {
    assert.throws(() => unitFor(unit, ['/usr/bin/node', bad], paths), /BANWARD_ERR_SETUP|cannot write/, bad);
    assert.throws(() => unitFor(unit, SHIPPED.command, { ...paths, configDir: bad }), /cannot write/, bad);
  }
  assert.match(unitFor(unit, ['/opt/node-20/bin/node', '/opt/b/bin/banward.js'], paths), /^ExecStart=\/opt\/node-20\/bin\/node \/opt\/b\/bin\/banward.js server --config \/etc\/banward /m);
});

test('setup from a banward under /tmp says the unit\'s PrivateTmp hides it from the service (a checkout CI cloned there)', async () => {
  const paths = tempPaths();
  const lines: string[] = [];
  const shipped = { ...SHIPPED, command: ['/usr/bin/node', '/tmp/ci-clone/packages/banward/bin/banward.js'] };
  await runSetup({ ...options(paths, fakeSystemd(false), lines), shipped, enable: true });
  assert.ok(lines.some((l) => /^warning: \/tmp\/ci-clone\/packages\/banward\/bin\/banward\.js is under a temporary directory, which the unit's PrivateTmp hides/.test(l)), lines.join('\n'));
  const normal = await setup(tempPaths());
  assert.equal(normal.lines.some((l) => l.startsWith('warning:')), false);
});
