import { resolve } from 'node:path';
import type { JailSpec, jailInputs as JailInputs } from '../compile/index.js';
import { describeWarning } from '../warnings.js';
import { defineCommand, type CommandIo } from './_command.js';
import { DEFAULT_CONFIG_DIR } from './_paths.js';

export interface ConfigCommandInput {
  configDir: string;
  json: boolean;
}

function jailSummary(spec: JailSpec, jailInputs: typeof JailInputs) {
  return {
    name: spec.name,
    backend: spec.backend,
    ...jailInputs(spec),
    filter: spec.filter ? { name: spec.filter.name, failregex: spec.filter.regexes.failregex.length } : null,
    maxretry: spec.options.maxretry,
    findtime: spec.options.findtime,
    bantime: spec.options.bantime,
    actions: spec.actions.map((a) => a.entry),
    unavailable: spec.unavailable,
    notEnforced: spec.unenforced,
    notices: spec.notices,
  };
}

/**
 * `banward test-config` (-t) and `dump-config` (-d): the compile step the daemon's start and reload run,
 * without a daemon, so what test-config prints is what the daemon would do.
 */
export async function configCommand(command: 'test-config' | 'dump-config', { configDir, json }: ConfigCommandInput, { out, err }: CommandIo): Promise<number> {
  // The compile step loads only for these commands, so `banward regex` and the clients start without it.
  const { combineProblems, compileConfiguration, describeJail, jailInputs } = await import('../compile/index.js');
  const config = await compileConfiguration(configDir);
  if (config.problems.length > 0) throw combineProblems(config.problems);
  for (const w of config.warnings) err.write(`WARNING ${describeWarning(w)}\n`);
  const { jails } = config;
  if (command === 'dump-config') {
    const options = jails.map((j) => j.options);
    out.write(json ? JSON.stringify({ jails: options }, null, 2) + '\n' : options.map((j) => `[${j.name}]\n${Object.entries(j.options).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`).join('\n'));
  } else if (json) {
    out.write(JSON.stringify({ ok: true, jails: jails.map((spec) => jailSummary(spec, jailInputs)), warnings: config.warnings.map(describeWarning) }, null, 2) + '\n');
  } else {
    for (const spec of jails) out.write(describeJail(spec).map((l) => `${l}\n`).join(''));
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
