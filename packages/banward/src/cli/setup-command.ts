import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BanwardError } from '../errors.js';
import type { Systemd } from '../setup/index.js';
import { defineCommand, type CommandContext } from './_command.js';
import { DEFAULT_CONFIG_DIR, DEFAULT_STATE_DIR, bundledConfigDir, shippedPath } from './_paths.js';

const SETUP_OPTIONS = {
  'config-dir': { type: 'string', valueName: 'DIR', description: `where the bundled config goes (default ${DEFAULT_CONFIG_DIR})` },
  'state-dir': { type: 'string', valueName: 'DIR', description: `the daemon's state, mode 0700 (default ${DEFAULT_STATE_DIR})` },
  'unit-dir': { type: 'string', valueName: 'DIR', description: 'where banward.service goes (default /etc/systemd/system)' },
  'logrotate-dir': { type: 'string', valueName: 'DIR', description: 'where the logrotate file for /var/log/banward.log goes (default /etc/logrotate.d)' },
  'no-enable': { type: 'boolean', description: 'install the unit but do not enable or start it' },
  remove: { type: 'boolean', description: 'undo setup: stop and remove the unit and logrotate file, and the config files nobody changed' },
  purge: { type: 'boolean', description: 'with --remove: also the config files the admin changed, and the state dir (the bans)' },
} as const;

/** sd_booted()'s test: systemd manages this machine when /run/systemd/system exists. */
function hostSystemd(): Systemd {
  return {
    notRunning: () => {
      if (existsSync('/run/systemd/system')) return null;
      const init = existsSync('/proc/1/comm') ? readFileSync('/proc/1/comm', 'utf8').trim() : 'unknown';
      return `systemd is not running here (PID 1 is ${init})`;
    },
    systemctl: async (args) => (await import('../process/index.js')).runProcess('systemctl', args, { timeoutMs: 90_000 }),
  };
}

async function runSetupCommand({ values, out }: CommandContext<typeof SETUP_OPTIONS>): Promise<number> {
  if (values.purge && !values.remove) throw new BanwardError('BANWARD_ERR_USAGE', '--purge goes with --remove (see banward setup --help)');
  if (process.getuid?.() !== 0) throw new BanwardError('BANWARD_ERR_SETUP', 'banward setup installs into /etc and /var/lib: run it as root (or with sudo)');
  const { runRemove, runSetup } = await import('../setup/index.js');
  const options = {
    paths: {
      configDir: resolve(values['config-dir'] ?? DEFAULT_CONFIG_DIR),
      stateDir: resolve(values['state-dir'] ?? DEFAULT_STATE_DIR),
      unitDir: resolve(values['unit-dir'] ?? '/etc/systemd/system'),
      logrotateDir: resolve(values['logrotate-dir'] ?? '/etc/logrotate.d'),
    },
    shipped: {
      configDir: bundledConfigDir(),
      unitFile: shippedPath('systemd/banward.service'),
      logrotateFile: shippedPath('systemd/banward.logrotate'),
      // The node that runs setup now and this package's own bin: the unit needs no PATH lookup.
      command: [process.execPath, shippedPath('bin/banward.js')],
    },
    systemd: hostSystemd(),
    say: (line: string) => out.write(`${line}\n`),
  };
  if (values.remove) await runRemove({ ...options, purge: values.purge ?? false });
  else await runSetup({ ...options, enable: !values['no-enable'] });
  return 0;
}

export const SETUP_COMMAND = defineCommand({
  name: 'setup',
  summary: 'install the config in /etc/banward, the state dir, the systemd unit and logrotate (root)',
  description: 'Installs banward as a service from this package: /etc/banward from the bundled config (a file the\n'
    + 'admin changed is kept, the shipped version written beside it as FILE.banward-new), the state dir,\n'
    + 'banward.service and a logrotate file; then systemctl daemon-reload and enable --now when systemd runs.\n'
    + 'Idempotent: a second run changes nothing and says so.',
  options: SETUP_OPTIONS,
  notes: 'What setup wrote is listed, with hashes, in STATE-DIR/setup-manifest.json.\n',
  run: runSetupCommand,
});
