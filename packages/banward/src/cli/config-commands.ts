import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readFilter } from '../config/index.js';
import { loadConfiguration } from '../daemon/banward-server.js';
import { Filter } from '../filter/filter.js';
import { backtrackWarnings } from '../filter/backtrack-warnings.js';
import { systemClock } from '../clock.js';
import { describeWarning } from '../warnings.js';
import { DEFAULT_CONFIG_DIR } from './_paths.js';

/**
 * `banward test-config` (-t) and `dump-config` (-d): read and check the configuration the way the daemon
 * would start it — jails, their filters compiled — without a daemon.
 */
export async function configCommand(
  command: 'test-config' | 'dump-config', argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const configDir = resolve(values.config ?? DEFAULT_CONFIG_DIR);
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
    out.write(values.json ? JSON.stringify({ jails }, null, 2) + '\n' : jails.map((j) => `[${j.name}]\n${Object.entries(j.options).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`).join('\n'));
  } else {
    out.write(`OK: configuration test is successful (${jails.length} jail(s) enabled: ${jails.map((j) => j.name).join(', ') || 'none'})\n`);
  }
  return 0;
}
