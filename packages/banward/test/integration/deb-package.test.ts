import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { COMMANDS } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';
import { assertInstalledDaemonBans } from './_installed-daemon.js';

/**
 * `npm run deb`'s script builds the .deb; lintian judges it; dpkg installs it on this machine and
 * purges it in a finally, and the test checks that the purge left no file named banward behind.
 * Needs dpkg-deb, lintian (.ci/run installs it), nftables and root.
 */
const BUILD = fileURLToPath(new URL('../../../packaging/build-deb.sh', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'banward-deb-'));
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const deb = join(out, `banward_${VERSION}_${arch}.deb`);
after(() => rmSync(out, { recursive: true, force: true }));

function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** dpkg, waiting while another dpkg or apt holds its lock (the machine is shared). */
function dpkg(...args: string[]): string {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync('dpkg', args, { encoding: 'utf8' });
    if (r.status === 0) return r.stdout;
    if (!/lock/i.test(r.stderr) || attempt === 60) throw new Error(`dpkg ${args.join(' ')}: ${r.stderr}`);
    spawnSync('sleep', ['1']);
  }
}

/** Every path on the system disks with banward in its name, but for dpkg's own records and temp dirs. */
function banwardPaths(): string[] {
  const r = spawnSync('find', ['/etc', '/usr', '/lib', '/var', '-xdev', '-name', '*banward*', '-not', '-path', '/var/tmp/*', '-not', '-path', '/var/lib/dpkg/*'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).sort();
}

before(() => {
  assert.equal(run('bash', BUILD, out).trim(), deb);
});

it('deb: lintian reports no error and no warning', () => {
  const r = spawnSync('lintian', [deb], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'lintian is needed (apt-get install lintian)');
  assert.equal(r.stdout.split('\n').filter((l) => /^[EW]: /.test(l)).join('\n'), '');
  assert.equal(r.status, 0, r.stderr);
});

it('deb: control, conffiles and contents', () => {
  const major = Number(process.versions.node.split('.')[0]);
  assert.match(run('dpkg-deb', '-f', deb, 'Depends'), new RegExp(`^nodejs \\(>= ${major}\\), nodejs \\(<< ${major + 1}\\), nftables \\| iptables, libc6 \\(>= [\\d.]+\\), libstdc\\+\\+6`));
  const files = run('dpkg-deb', '-c', deb).split('\n').map((l) => l.split(/\s+/).at(5) ?? '');
  const conffiles = run('dpkg-deb', '-I', deb, 'conffiles').split('\n').filter(Boolean);
  assert.deepEqual(conffiles, files.filter((f) => f.startsWith('./etc/') && !f.endsWith('/')).map((f) => f.slice(1)).sort(), 'every file in /etc is a conffile');
  assert.ok(conffiles.includes('/etc/banward/jail.conf') && conffiles.includes('/etc/logrotate.d/banward'));
  for (const f of ['./usr/bin/banward', './usr/lib/banward/bin/banward.js', './usr/lib/banward/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    './etc/banward/jail.conf', './lib/systemd/system/banward.service', './etc/logrotate.d/banward', './usr/share/man/man8/banward.8.gz', './usr/share/man/man5/banward.conf.5.gz']) {
    assert.ok(files.includes(f), f);
  }
  assert.deepEqual(files.filter((f) => f.startsWith('./etc/banward/samples') || f.includes('.test.') || f.includes('/better-sqlite3/deps/')), []);
});

it('deb: dpkg -i gives /usr/bin/banward that tests /etc/banward and runs the daemon banning in a netns; man pages render; purge leaves nothing', async () => {
  assert.equal(spawnSync('dpkg-query', ['-W', 'banward']).status, 1, 'a banward package is installed on this machine already: the test will not touch it');
  const before = banwardPaths();
  try {
    dpkg('-i', deb);
    assert.equal(run('/usr/bin/banward', '--version'), `banward ${VERSION}\n`);
    assert.match(run('/usr/bin/banward', 'test-config'), /^OK: configuration test is successful/m);
    assert.ok(existsSync('/lib/systemd/system/banward.service'));
    const man = spawnSync('man', ['--warnings', '-l', '/usr/share/man/man8/banward.8.gz'], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '120' } });
    assert.equal(man.stderr, '', 'groff warnings');
    for (const command of COMMANDS) assert.match(man.stdout, new RegExp(`Usage: banward ${command.name} `), command.name);
    const conf = spawnSync('man', ['--warnings', '-l', '/usr/share/man/man5/banward.conf.5.gz'], { encoding: 'utf8' });
    assert.equal(conf.stderr, '');
    await assertInstalledDaemonBans(['/usr/bin/banward']);
  } finally {
    dpkg('--purge', 'banward');
  }
  assert.deepEqual(banwardPaths(), before, 'the purge left files behind');
  assert.deepEqual(readdirSync('/etc').filter((f) => f.includes('banward')), []);
});
