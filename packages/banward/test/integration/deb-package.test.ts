import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { COMMANDS } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';
import { BootedContainer } from './_container.js';
import { waitFor } from './_daemon.js';
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
  assert.match(run('dpkg-deb', '-f', deb, 'Depends'), new RegExp(`^nodejs \\(>= ${major}\\), nodejs \\(<< ${major + 1}\\), nftables \\| iptables, procps, libc6 \\(>= [\\d.]+\\), libstdc\\+\\+6`));
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
    // Every production dependency loads from /usr/lib/banward after the build pruned their tests and docs.
    const { dependencies } = JSON.parse(readFileSync('/usr/lib/banward/package.json', 'utf8')) as { dependencies: Record<string, string> };
    const load = Object.keys(dependencies).map((name) => `await import(${JSON.stringify(name)});`).join(' ');
    execFileSync('/usr/bin/node', ['--input-type=module', '-e', load], { cwd: '/usr/lib/banward' });
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

/** CAP_CHOWN, CAP_DAC_READ_SEARCH, CAP_NET_ADMIN, CAP_NET_RAW (bits 0, 2, 12, 13): the unit's bounding set. */
const UNIT_CAPABILITIES = (1n << 0n) | (1n << 2n) | (1n << 12n) | (1n << 13n);

it('deb under systemd: in a booted Debian 12 (systemd-nspawn) dpkg -i starts the hardened unit; READY and STATUS, reload, bans by nft and ipset, stop; purge takes the state', async () => {
  const container = await BootedContainer.boot({ [out]: '/mnt/deb' });
  try {
    // nodejs is this machine's node, bound in, not a package of the container: hence --force-depends.
    container.sh(`dpkg -i --force-depends /mnt/deb/${basename(deb)}`);
    const show = (property: string) => container.sh(`systemctl show banward.service -p ${property} --value`).trim();
    await waitFor('banward.service active', () => show('ActiveState') === 'active', 30_000);
    assert.equal(show('Type'), 'notify');
    assert.equal(show('StatusText'), '1 jail(s) running', 'READY=1 and STATUS= reached systemd');
    assert.equal(show('UnitFileState'), 'enabled');
    const pid = show('MainPID');
    const status = container.sh(`cat /proc/${pid}/status`);
    assert.equal(BigInt(`0x${/^CapBnd:\s*(\w+)$/m.exec(status)![1]!}`), UNIT_CAPABILITIES);
    assert.match(status, /^NoNewPrivs:\s*1$/m);
    assert.match(container.run(`nsenter -t ${pid} -m touch /etc/banward/x`).stderr, /Read-only file system/, 'ProtectSystem=strict');

    container.sh(`printf '[Definition]\\nfailregex = ^\\\\s*login failed from <HOST>$\\n' >/etc/banward/filter.d/test.conf
      printf '[test]\\nenabled = true\\nfilter = test\\nlogpath = /var/log/test-app.log\\nmaxretry = 2\\naction = nftables[port=8080, protocol=tcp]\\n[test-ipset]\\nenabled = true\\nfilter = test\\nlogpath = /var/log/test-app.log\\nmaxretry = 2\\naction = ipset[port=8080, protocol=tcp]\\n' >/etc/banward/jail.d/test.local
      : >/var/log/test-app.log
      systemctl reload banward.service`);
    // systemd 252 does not wait for the reload (that is Type=notify-reload, 253): its READY=1 brings the new status.
    await waitFor('RELOADING=1, then READY=1 with the new status', () => show('StatusText') === '3 jail(s) running');
    container.sh('now=$(date "+%Y-%m-%d %H:%M:%S"); printf "%s login failed from 192.0.2.9\\n" "$now" "$now" >>/var/log/test-app.log');
    await waitFor('the ban in nftables', () => container.run('nft list table inet banward').stdout.includes('192.0.2.9'));
    await waitFor('the ban in ipset, matched by iptables (the xtables lock is writable)', () => container.run('ipset list bw-test-ipset-4').stdout.includes('192.0.2.9'));
    assert.match(container.sh('iptables -S INPUT'), /--match-set bw-test-ipset-4 src -j DROP/);
    assert.match(container.sh('banward status test'), /Banned IP list:\s*192\.0\.2\.9/);

    container.sh('systemctl stop banward.service');
    assert.equal(show('ActiveState'), 'inactive');
    assert.match(container.sh('cat /var/log/banward.log'), /Exiting banward/);
    container.sh('dpkg --purge banward');
    assert.equal(container.run('ls -d /var/lib/banward /var/log/banward.log /lib/systemd/system/banward.service /usr/lib/banward 2>&1').stdout.split('\n').filter((l) => !l.includes('No such file')).join(''), '');
    assert.equal(container.sh('find /etc/banward -type f | sort'), '/etc/banward/filter.d/test.conf\n/etc/banward/jail.d/test.local\n', 'only the files the admin added stay');
  } finally {
    await container.shutdown();
  }
});
