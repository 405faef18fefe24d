import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CompiledConfiguration } from '../compile/index.js';
import { BanwardError } from '../errors.js';
import { defineCommand, usageError, type CommandIo } from './_command.js';
import { DEFAULT_CONFIG_DIR, DEFAULT_STATE_DIR } from './_paths.js';

const FAIL2BAN_CONFIG = '/etc/fail2ban';
const FAIL2BAN_DATABASE = '/var/lib/fail2ban/fail2ban.sqlite3';
const FAIL2BAN_LOG = '/var/log/fail2ban.log';

async function compile(dir: string): Promise<CompiledConfiguration> {
  const { compileConfiguration } = await import('../compile/index.js');
  return compileConfiguration(dir);
}

async function report(from: string, json: boolean, { out }: CommandIo): Promise<number> {
  const { describeMigration, migrationReport } = await import('../migrate/index.js');
  const result = migrationReport(from, await compile(from));
  out.write(json ? `${JSON.stringify(result, null, 2)}\n` : describeMigration(result).map((l) => `${l}\n`).join(''));
  return result.refused.length > 0 ? 1 : 0;
}

/**
 * Writes `to`/jail.local from `from`'s jails, after proving it in a copy of `to`: the copy must compile
 * and run every written jail with fail2ban's counts, times and logs. A jail.local the admin has is kept;
 * the new one goes beside it as jail.local.banward-new.
 */
async function write(from: string, to: string, { out }: CommandIo): Promise<number> {
  const { writeJailLocal } = await import('../migrate/index.js');
  const { combineProblems } = await import('../compile/index.js');
  if (!existsSync(join(to, 'jail.conf'))) throw new BanwardError('BANWARD_ERR_CONFIG_REFERENCE', `${to} has no jail.conf: run banward setup first (it installs the bundled configuration there)`);
  const theirs = await compile(from);
  if (theirs.problems.length > 0) throw combineProblems(theirs.problems);
  const ours = await compile(to);
  const disable = ours.jails.map((j) => j.name).filter((name) => !theirs.jails.some((j) => j.name === name));
  const trial = mkdtempSync(join(tmpdir(), 'banward-migrate-'));
  let written;
  try {
    cpSync(to, trial, { recursive: true });
    written = writeJailLocal(theirs.jails, { from, to: trial, disable, copy: true });
    writeFileSync(join(trial, 'jail.local'), written.text);
    const proof = await compile(trial);
    if (proof.problems.length > 0) throw combineProblems(proof.problems);
    for (const name of written.written) {
      const a = theirs.jails.find((j) => j.name === name)!.options;
      const b = proof.jails.find((j) => j.name === name)?.options;
      const same = b && a.maxretry === b.maxretry && a.findtime === b.findtime && a.bantime === b.bantime
        && a.logpath.map((p) => p.path).join('\n') === b.logpath.map((p) => p.path).join('\n');
      if (!same) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `[${name}] the written jail.local does not reproduce it (maxretry, findtime, bantime or logpath differ); nothing was written`);
    }
  } finally {
    rmSync(trial, { recursive: true, force: true });
  }
  const real = writeJailLocal(theirs.jails, { from, to, disable, copy: true });
  const target = existsSync(join(to, 'jail.local')) && readFileSync(join(to, 'jail.local'), 'utf8') !== real.text ? 'jail.local.banward-new' : 'jail.local';
  writeFileSync(join(to, target), real.text, { mode: 0o644 });
  for (const f of real.copiedFilters) out.write(`copied fail2ban's filter to ${f}\n`);
  out.write(`wrote ${join(to, target)}: ${real.written.length} jail(s) (${real.written.join(', ') || 'none'})${disable.length ? `; disabled ${disable.join(', ')} (fail2ban does not run them)` : ''}\n`);
  if (target !== 'jail.local') out.write(`${join(to, 'jail.local')} exists and was kept: compare it with ${target}\n`);
  for (const n of real.notes) out.write(`note [${n.jail}]: ${n.what}\n  → ${n.todo}\n`);
  for (const l of real.leftOut) out.write(`left out [${l.jail}]: ${l.reason} — keep --config ${from} for it, or write its section by hand\n`);
  return 0;
}

async function importBans(database: string, from: string, to: string, stateDir: string, json: boolean, { out }: CommandIo): Promise<number> {
  const { importFail2banBans } = await import('../migrate/index.js');
  const { SqliteBanStore } = await import('../decision/index.js');
  const bantimes = existsSync(from) ? await compile(from) : null;
  const known = existsSync(to) ? await compile(to) : null;
  const store = new SqliteBanStore({ path: join(stateDir, 'banward.sqlite3') });
  try {
    const result = importFail2banBans({
      from: database,
      store,
      now: Date.now() / 1000,
      jailBantime: (jail) => bantimes?.jails.find((j) => j.name === jail)?.options.bantime,
      ...(known ? { knownJails: new Set(known.jails.map((j) => j.name)) } : {}),
    });
    if (json) {
      out.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    out.write(`read ${database} (fail2ban database version ${result.version})\n`);
    out.write(`imported ${result.imported.length} ban(s) in force into ${store.path}; ${result.alreadyBanned} already there; ${result.history} past ban(s) into the history\n`);
    for (const s of result.skipped) out.write(`skipped [${s.jail}] ${s.ip}: ${s.reason}\n`);
    if (result.unknownJails.length) out.write(`bans of jails banward does not run (${result.unknownJails.join(', ')}) are kept; they are enforced once such a jail runs\n`);
    out.write('next: stop fail2ban, then start banward: it restores these bans at its start (a running banward enforces them at its next full check, or at once with `banward reload --restart`)\n');
    return 0;
  } finally {
    store.close();
  }
}

async function compare(fail2banLog: string, banwardLog: string | undefined, json: boolean, { out }: CommandIo): Promise<number> {
  if (banwardLog === undefined) throw usageError(MIGRATE_COMMAND, '--compare needs --banward-log FILE (the log of `banward server --dry-run --log-target FILE`)');
  const { compareBanLogs } = await import('../migrate/index.js');
  const result = compareBanLogs(readFileSync(fail2banLog, 'utf8'), readFileSync(banwardLog, 'utf8'));
  if (json) {
    out.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const [jail, n] of Object.entries(result.both)) out.write(`[${jail}] both banned ${n}\n`);
    for (const [jail, ips] of Object.entries(result.onlyFail2ban)) out.write(`[${jail}] only fail2ban banned: ${ips.join(' ')}\n`);
    for (const [jail, ips] of Object.entries(result.onlyBanward)) out.write(`[${jail}] only banward banned: ${ips.join(' ')}\n`);
  }
  return Object.keys(result.onlyFail2ban).length + Object.keys(result.onlyBanward).length === 0 ? 0 : 1;
}

export const MIGRATE_COMMAND = defineCommand({
  name: 'migrate',
  summary: 'switch from fail2ban: what differs, a jail.local for banward, fail2ban\'s bans carried over',
  description: `Without options: reads fail2ban's configuration (--from) and reports, jail by jail, what banward
does the same and what differs (file:line, what to do). --write writes --to/jail.local reproducing
fail2ban's enabled jails with native actions. --import-bans [DATABASE] imports fail2ban's bans in force
(default ${FAIL2BAN_DATABASE}) into banward's state, so the switch unbans nobody. --compare lists the
bans one daemon made and the other did not, from their logs.`,
  args: [{ name: 'DATABASE', description: `fail2ban's database, for --import-bans (default ${FAIL2BAN_DATABASE})`, optional: true }],
  options: {
    from: { type: 'string', valueName: 'DIR', description: `fail2ban's configuration (default ${FAIL2BAN_CONFIG})` },
    to: { type: 'string', valueName: 'DIR', description: `banward's configuration (default ${DEFAULT_CONFIG_DIR})` },
    write: { type: 'boolean', description: 'write --to/jail.local (kept if the admin has one: jail.local.banward-new)' },
    'import-bans': { type: 'boolean', description: 'import fail2ban\'s bans in force, with their times and ban counts' },
    'state-dir': { type: 'string', valueName: 'DIR', description: `banward's state, for --import-bans (default ${DEFAULT_STATE_DIR})` },
    compare: { type: 'boolean', description: 'list bans one daemon made and the other did not' },
    'fail2ban-log': { type: 'string', valueName: 'FILE', description: `fail2ban's log, for --compare (default ${FAIL2BAN_LOG})` },
    'banward-log': { type: 'string', valueName: 'FILE', description: 'banward\'s log, for --compare' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  run: async ({ values, args, out, err }) => {
    const io = { out, err };
    const from = resolve(values.from ?? FAIL2BAN_CONFIG);
    const to = resolve(values.to ?? DEFAULT_CONFIG_DIR);
    const modes = [values.write, values['import-bans'], values.compare].filter(Boolean).length;
    if (modes > 1) throw usageError(MIGRATE_COMMAND, '--write, --import-bans and --compare are separate steps: give one');
    if (args.length > 0 && !values['import-bans']) throw usageError(MIGRATE_COMMAND, 'DATABASE goes with --import-bans');
    const json = values.json ?? false;
    if (values['import-bans']) return importBans(resolve(args[0] ?? FAIL2BAN_DATABASE), from, to, resolve(values['state-dir'] ?? DEFAULT_STATE_DIR), json, io);
    if (values.compare) return compare(resolve(values['fail2ban-log'] ?? FAIL2BAN_LOG), values['banward-log'], json, io);
    if (values.write) return write(from, to, io);
    return report(from, json, io);
  },
});
