import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { combineProblems, compileConfiguration, describeJail, jailInputs, type JailSpec } from '../compile/index.js';
import { describeWarning } from '../warnings.js';
import { DEFAULT_CONFIG_DIR } from './_paths.js';

function jailSummary(spec: JailSpec) {
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
export async function configCommand(
  command: 'test-config' | 'dump-config', argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const config = await compileConfiguration(resolve(values.config ?? DEFAULT_CONFIG_DIR));
  if (config.problems.length > 0) throw combineProblems(config.problems);
  for (const w of config.warnings) err.write(`WARNING ${describeWarning(w)}\n`);
  const { jails } = config;
  if (command === 'dump-config') {
    const options = jails.map((j) => j.options);
    out.write(values.json ? JSON.stringify({ jails: options }, null, 2) + '\n' : options.map((j) => `[${j.name}]\n${Object.entries(j.options).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`).join('\n'));
  } else if (values.json) {
    out.write(JSON.stringify({ ok: true, jails: jails.map(jailSummary), warnings: config.warnings.map(describeWarning) }, null, 2) + '\n');
  } else {
    for (const spec of jails) out.write(describeJail(spec).map((l) => `${l}\n`).join(''));
    out.write(`OK: configuration test is successful (${jails.length} jail(s) enabled: ${jails.map((j) => j.name).join(', ') || 'none'})\n`);
  }
  return 0;
}
