/**
 * The one compile step start, reload and `banward test-config` share, so that "test-config passes"
 * means "the daemon will do exactly this": the jail options' pure pass (every problem at once, each at
 * its file:line), then each enabled jail's filter, log source and actions compiled and checked against
 * this machine, then everything frozen. Builders take the result and check nothing again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFilter } from '../config/index.js';
import { readDaemonSettings, DEFAULT_DAEMON_SETTINGS, type DaemonSettings, type SettingsOverrides } from '../daemon/daemon-settings.js';
import { deepFreeze } from '../deep-freeze.js';
import { BanwardError, isBanwardError } from '../errors.js';
import { backtrackWarnings } from '../filter/backtrack-warnings.js';
import { checkJailConfig, type JailOptions } from '../jail/index.js';
import { canRunSource } from '../source/index.js';
import type { BanwardWarning } from '../warnings.js';
import { planActions } from './_action-plans.js';
import { chooseBackend } from './_backend-choice.js';
import { checkLogPaths } from './_log-checks.js';
import { planFilter } from './_filter-plan.js';
import { referencedNames, unusedOptionWarnings } from './_unused-options.js';
import type { CompiledConfiguration, JailSpec } from './jail-spec.js';

function problemOf(error: unknown): BanwardError {
  if (isBanwardError(error)) return error;
  throw error;
}

function fileDigest(files: readonly string[]): string[] {
  return [...new Set(files)].map((file) => {
    try {
      return `${file}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
    } catch {
      return `${file}:unreadable`;
    }
  });
}

function unenforcedReason(spec: Pick<JailSpec, 'actions' | 'unavailable'>): string | null {
  if (spec.actions.some((a) => a.blocks)) return null;
  if (spec.unavailable.length > 0) return spec.unavailable.join('; ');
  if (spec.actions.length === 0) return 'no action is set (action =)';
  return `its actions only record or notify (${spec.actions.map((a) => a.name).join(', ')})`;
}

interface CompileContext {
  configDir: string;
  settings: DaemonSettings;
  /** Names the jail files' `%(x)s` references use. */
  jailReferences: ReadonlySet<string>;
  problems: BanwardError[];
  warnings: BanwardWarning[];
}

async function compileJail(options: JailOptions, ctx: CompileContext): Promise<JailSpec | null> {
  const { configDir, settings, problems, warnings } = ctx;
  const before = problems.length;
  const backend = chooseBackend(options, () => {
    if (options.journalmatch) return options.journalmatch;
    try {
      return readFilter(configDir, options.filter ?? '', { logtype: 'journal' }).journalmatch;
    } catch {
      return [];
    }
  });
  const journal = backend.startsWith('systemd');
  let filter: ReturnType<typeof planFilter> = { plan: null, files: [] };
  try {
    filter = planFilter(options, configDir, journal);
  } catch (error) {
    problems.push(problemOf(error));
  }
  const plan = filter.plan;
  if (plan) {
    const can = canRunSource(backend, journal
      ? { id: options.name, journalmatch: plan.journalmatch.map((m) => [...m]), findtime: options.findtime }
      : { id: options.name, logpath: options.logpath, ...(options.logencoding && options.logencoding !== 'auto' ? { encoding: options.logencoding } : {}) });
    if (!can.ok) problems.push(new BanwardError('BANWARD_ERR_CONFIG_VALUE', `[${options.name}] backend ${backend}: ${can.reason}`, options.locations['backend'] ?? options.locations['logpath'] ?? {}));
    warnings.push(...backtrackWarnings(plan.spec.failregex.map((r) => (typeof r === 'string' ? { value: r } : r)), { multiline: (plan.spec.maxlines ?? 1) > 1 }));
  }
  const actions = await planActions(options, configDir);
  problems.push(...actions.problems);
  const referenced = new Set([...ctx.jailReferences, ...referencedNames([...filter.files, ...actions.files])]);
  warnings.push(...unusedOptionWarnings(options, referenced));
  if (problems.length > before) return null;
  const logs = plan && !journal ? checkLogPaths(options.logpath) : { notices: [], warnings: [] };
  const notices = [...logs.notices];
  if (backend !== options.backend) notices.push('no log file found: reading the systemd journal instead (backend = auto)');
  if (options.actionDefaulted) notices.push(`no action is set: using the default banaction (${options.action.join(', ')})`);
  const unenforced = unenforcedReason({ actions: actions.plans, unavailable: actions.unavailable });
  const jailWarnings = [...logs.warnings, ...actions.unavailable];
  if (unenforced !== null) jailWarnings.push(`bans are recorded, not enforced: ${unenforced}`);
  // Where options were written is not what they mean: a comment added above them restarts nothing.
  const fingerprint = createHash('sha256').update(JSON.stringify([
    { ...options, locations: null }, backend, plan, actions.plans, settings.lineTimeout, fileDigest([...filter.files, ...actions.files]),
  ])).digest('hex');
  return {
    name: options.name,
    options,
    backend,
    filter: plan,
    actions: actions.plans,
    unavailable: actions.unavailable,
    unenforced,
    notices,
    warnings: jailWarnings,
    lineTimeout: settings.lineTimeout,
    fingerprint,
  };
}

/** Compiles the configuration under `configDir`; never throws for a problem in it (see `problems`). */
export async function compileConfiguration(configDir: string, overrides: SettingsOverrides = {}): Promise<CompiledConfiguration> {
  const problems: BanwardError[] = [];
  const warnings: BanwardWarning[] = [];
  let settings: DaemonSettings = DEFAULT_DAEMON_SETTINGS;
  try {
    settings = readDaemonSettings(configDir, overrides);
  } catch (error) {
    problems.push(problemOf(error));
  }
  const jails: JailSpec[] = [];
  try {
    const report = checkJailConfig(configDir);
    problems.push(...report.problems);
    const ctx = { configDir, settings, jailReferences: referencedNames(report.files), problems, warnings };
    for (const options of report.jails.filter((j) => j.enabled)) {
      const spec = await compileJail(options, ctx);
      if (spec) jails.push(spec);
    }
  } catch (error) {
    problems.push(problemOf(error));
  }
  return deepFreeze({ settings, jails, problems, warnings: dedupe(warnings) });
}

function dedupe(warnings: BanwardWarning[]): BanwardWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.code}:${w.file ?? ''}:${w.line ?? ''}:${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
