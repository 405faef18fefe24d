import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { BootedContainer } from './_container.js';
import { waitFor } from './_daemon.js';

/** `banward setup` as an admin runs it, into a temp root: every path is a flag. */
const root = mkdtempSync(join(tmpdir(), 'banward-setup-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const PATHS = ['--config-dir', join(root, 'etc/banward'), '--state-dir', join(root, 'var/lib/banward'),
  '--unit-dir', join(root, 'etc/systemd/system'), '--logrotate-dir', join(root, 'etc/logrotate.d')];

function banward(...args: string[]) {
  return spawnSync(process.execPath, [BANWARD_BIN, ...args], { encoding: 'utf8' });
}

it('banward setup: installs, says what it did line by line, a rerun changes nothing, --remove --purge leaves nothing', () => {
  const first = banward('setup', ...PATHS);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^created ${root}/etc/banward/filter\\.d/sshd\\.conf$`, 'm'));
  assert.match(first.stdout, new RegExp(`^created ${root}/etc/logrotate\\.d/banward$`, 'm'));
  if (!existsSync('/run/systemd/system')) assert.match(first.stdout, /^did not run systemctl: systemd is not running here \(PID 1 is .+\); start the daemon with: /m);
  assert.match(first.stdout, /^setup done$/m);

  const second = banward('setup', ...PATHS);
  assert.equal(second.status, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /^(created|updated) /m);
  assert.match(second.stdout, /^setup done: nothing changed, everything was in place$/m);

  writeFileSync(join(root, 'etc/banward/jail.local'), '[sshd]\nenabled = false\n');
  const removed = banward('setup', '--remove', ...PATHS);
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, /^setup removed$/m);
  assert.deepEqual(readdirSync(join(root, 'etc/banward')), ['jail.local'], 'the admin\'s own file stays');
  assert.equal(existsSync(join(root, 'etc/systemd/system/banward.service')), false);
  assert.equal(existsSync(join(root, 'var/lib/banward')), true, 'the state dir stays without --purge');

  rmSync(join(root, 'etc/banward/jail.local'));
  assert.equal(banward('setup', ...PATHS).status, 0);
  const purged = banward('setup', '--remove', '--purge', ...PATHS);
  assert.equal(purged.status, 0, purged.stderr);
  for (const dir of ['etc/banward', 'var/lib/banward']) assert.equal(existsSync(join(root, dir)), false, dir);
});

it('banward setup: refuses --purge without --remove, and a user who is not root, with nothing written', () => {
  const purge = banward('setup', '--purge', ...PATHS);
  assert.equal(purge.status, 2);
  assert.match(purge.stderr, /--purge goes with --remove .*\[BANWARD_ERR_USAGE\]/);
  const target = join(root, 'nobody');
  const nobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, BANWARD_BIN, 'setup', '--config-dir', target], { encoding: 'utf8' });
  assert.equal(nobody.status, 2);
  assert.match(nobody.stderr, /run it as root \(or with sudo\) \[BANWARD_ERR_SETUP\]/);
  assert.equal(existsSync(target), false);
});

/**
 * The checkout (its bin, dist and node_modules), bound read-only into the container outside /tmp: the
 * unit's PrivateTmp would hide a checkout under /tmp (where CI may clone) from the service.
 */
const CHECKOUT = fileURLToPath(new URL('../../../../..', import.meta.url));
const INSIDE = '/opt/banward-checkout';
const INSIDE_BIN = join(INSIDE, relative(CHECKOUT, BANWARD_BIN));

it('banward setup under a real systemd (a booted Debian 12): enables and starts the unit it wrote, a rerun changes nothing, --remove --purge stops and disables it', async () => {
  const container = await BootedContainer.boot({ [CHECKOUT]: INSIDE });
  const setup = (...args: string[]) => container.sh(`/usr/bin/node ${INSIDE_BIN} setup ${args.join(' ')}`);
  const show = (property: string) => container.sh(`systemctl show banward.service -p ${property} --value`).trim();
  try {
    const first = setup();
    assert.match(first, /^ran systemctl daemon-reload$/m);
    assert.match(first, /^ran systemctl enable --now banward\.service$/m);
    await waitFor('banward.service active', () => show('ActiveState') === 'active', 30_000);
    assert.equal(show('StatusText'), '1 jail(s) running');
    assert.equal(show('UnitFileState'), 'enabled');

    const second = setup();
    assert.match(second, /^banward\.service is enabled and running$/m);
    assert.match(second, /^setup done: nothing changed, everything was in place$/m);

    const removed = setup('--remove', '--purge');
    assert.match(removed, /^ran systemctl disable --now banward\.service$/m);
    assert.equal(show('ActiveState'), 'inactive');
    assert.equal(container.run('ls /etc/systemd/system/banward.service /etc/banward /var/lib/banward 2>/dev/null').stdout, '');
  } finally {
    await container.shutdown();
  }
});
