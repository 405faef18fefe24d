import { resolve } from 'node:path';
import { readFilter } from '../config/index.js';
import { loadConfiguration } from '../daemon/banward-server.js';
import { Filter } from '../filter/filter.js';
import { backtrackWarnings } from '../filter/backtrack-warnings.js';
import { systemClock } from '../clock.js';
import { describeWarning } from '../warnings.js';
import { defineCommand, type CommandIo } from './_command.js';
import { DEFAULT_CONFIG_DIR } from './_paths.js';

export interface ConfigCommandInput {
  configDir: string;
  json: boolean;
}

/**
 * `banward test-config` (-t) and `dump-config` (-d): read and check the configuration the way the daemon
 * would start it — jails, their filters compiled — without a daemon.
 */
export async function configCommand(command: 'test-config' | 'dump-config', { configDir, json }: ConfigCommandInput, { out, err }: CommandIo): Promise<number> {
  const { jails } = loadConfiguration(configDir);
  const warnings = new Set<string>();
  for (const jail of jails) {
    if (!jail.filter) continue;
    const def = readFilter(configDir, jail.filter, jail.backend.startsWith('systemd') ? { logtype: 'journal' } : {});
    new Filter({ failregex: def.failregex, ignoreregex: def.ignoreregex, ...(def.prefregex?.value ? { prefregex: def.prefregex } : {}), now: systemClock });
    if (command === 'test-config') {
      for (const w of backtrackWarnings(def.failregex, { multiline: (def.maxlines ?? 1) > 1 })) warnings.add(describeWarning(w));
    }
  }
  for (const w of warnings) err.write(`WARNING ${w}\n`);
  if (command === 'dump-config') {
    out.write(json ? JSON.stringify({ jails }, null, 2) + '\n' : jails.map((j) => `[${j.name}]\n${Object.entries(j.options).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`).join('\n'));
  } else if (json) {
    out.write(JSON.stringify({ ok: true, jails: jails.map((j) => j.name), warnings: [...warnings] }) + '\n');
  } else {
    out.write(`OK: configuration test is successful (${jails.length} jail(s) enabled: ${jails.map((j) => j.name).join(', ') || 'none'})\n`);
  }
  return 0;
}

const CONFIG_OPTIONS = {
  config: { type: 'string', valueName: 'DIR', description: `configuration directory (default ${DEFAULT_CONFIG_DIR};\n--config /etc/fail2ban reads fail2ban's)` },
  json: { type: 'boolean', description: 'print the result as JSON' },
} as const;

function configCommandDef(name: 'test-config' | 'dump-config', alias: string, summary: string) {
  return defineCommand({
    name, aliases: [alias], summary, options: CONFIG_OPTIONS,
    run: ({ values, out, err }) => configCommand(name, { configDir: resolve(values.config ?? DEFAULT_CONFIG_DIR), json: values.json ?? false }, { out, err }),
  });
}

export const TEST_CONFIG_COMMAND = configCommandDef('test-config', '-t', 'check the configuration, filters included, without a daemon');
export const DUMP_CONFIG_COMMAND = configCommandDef('dump-config', '-d', 'print the jails as banward reads them');
