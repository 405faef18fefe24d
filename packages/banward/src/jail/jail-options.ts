/**
 * A jail's settings from fail2ban's jail configuration (jail.conf, jail.d/*.conf, jail.local,
 * jail.d/*.local with their includes and `%(x)s` interpolation), typed, checked and frozen.
 *
 * Checking is one pure pass over every jail that collects every problem with the file:line that
 * wrote the option; `readJailOptions` then throws them together — the same pass powers
 * `banward test-config`. As with fail2ban, a problem in a disabled jail does not stop the others:
 * it is reported in `skipped` and the jail is left out.
 */
import { isAbsolute, join } from 'node:path';
import {
  INCLUDES_SECTION, getOption, loadConfigStack, nodeConfigFs, parseInlineOptions, sectionNames,
  splitInlineEntries, TracedText, ownOptionNames, USEDNS_WORDS, type ConfigFs, type ConfigStack, type SourcedValue, type UseDns,
} from '../config/index.js';
import { deepFreeze } from '../deep-freeze.js';
import { BanwardError, type ErrorLocation } from '../errors.js';
import { BACKEND_NAMES } from '../source/index.js';
import { VERSION } from '../version.js';
import { parseIgnoreCache, IgnoreCommand, type IgnoreCacheSettings } from './_ignore-command.js';
import { SectionReader, type OptionText } from './_option-readers.js';
import { compileBantimeFormula, parseBantimeFactor, parseBantimeMultipliers, type BanTimeIncrement } from './ban-time-policy.js';
import { readFilterOverrides } from './_filter-overrides.js';
import { classifyIgnoreEntry, splitIgnoreWords } from './ignore-list.js';

export interface LogPath {
  /** A file or glob, as written. */
  path: string;
  /** Start at the end of the file (` tail`) instead of the beginning (` head`, the default). */
  tail: boolean;
}

export interface JailOptions {
  name: string;
  enabled: boolean;
  /** The filter as the jail names it, with inline options (`sshd[mode=normal]`); null when `filter =` is empty. */
  filter: string | null;
  filterName: string | null;
  filterOptions: Record<string, string>;
  logpath: LogPath[];
  /** `auto`, `polling`, `pyinotify`, `gamin`, `systemd` (possibly with options: `systemd[journalpath=…]`). */
  backend: string;
  maxretry: number;
  /** Seconds. */
  findtime: number;
  /** Seconds; negative = permanent. */
  bantime: number;
  bantimeIncrement: BanTimeIncrement;
  /** The words of `ignoreip` (addresses, ranges, host names, file:/path). */
  ignoreip: string[];
  ignoreself: boolean;
  /** The app socket may report into this jail although it reads logs (a report-only jail always may). */
  appreports: boolean;
  /** IPv6 failures are counted, and banned, per /N network (0: per address, as fail2ban). */
  countprefix6: number;
  /** `fleet.count`: failures counted across the fleet's nodes in Redis (`shared`, src/fleet) or by this node alone. */
  fleetCount: 'shared' | 'local';
  ignorecommand?: string;
  ignorecache?: IgnoreCacheSettings;
  usedns?: UseDns;
  maxmatches: number;
  logencoding?: string;
  logtimezone?: string;
  port?: string;
  protocol?: string;
  /** One entry per action, with its inline options (`nftables[port="ssh", protocol="tcp"]`). */
  action: string[];
  /** No `action` was set anywhere: `action` is the default banaction (nftables unless `banaction` says). */
  actionDefaulted?: true;
  banaction?: string;
  banactionAllports?: string;
  /** The jail's overrides of its filter's settings. */
  maxlines?: number;
  datepattern?: string;
  journalmatch?: string[][];
  /** Written in the jail (or `[DEFAULT]`): they replace the filter's lists, as in fail2ban. */
  failregex?: SourcedValue[];
  ignoreregex?: SourcedValue[];
  prefregex?: SourcedValue;
  /** At most this many addresses tracked at once (maxtrackedips); the counter's default when absent. */
  maxtracked?: number;
  /** Every option of the section (with `[DEFAULT]`'s), interpolated where possible, for dump-config. */
  options: Record<string, string>;
  /** Where each of those options was written, so later checks report at file:line. */
  locations: Record<string, ErrorLocation>;
  /** Options the jail's own section sets that banward does not read (a reference may still use them). */
  unreadOptions: string[];
}

export interface JailConfigReport {
  /** Jails read without problems, in file order. */
  jails: JailOptions[];
  /** Problems in enabled jails: any one makes the configuration unusable. */
  problems: BanwardError[];
  /** Disabled jails left out because of problems (fail2ban would not notice them either). */
  skipped: { name: string; problems: BanwardError[] }[];
  files: string[];
}

export interface ReadJailOptionsContext {
  fs?: ConfigFs;
}


/** fail2ban's `logpath`: one path per line, each optionally followed by ` head` or ` tail`. */
export function splitLogPaths(value: string): LogPath[] {
  return value.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const m = /^(.*?)\s+(head|tail)$/i.exec(line);
    return m ? { path: m[1]!, tail: m[2]!.toLowerCase() === 'tail' } : { path: line, tail: false };
  });
}

/** Whether `filter.d/<name>` (or a path to a .conf file) exists. */
function filterExists(configDir: string, name: string, fs: ConfigFs): boolean {
  if (/\.(conf|local)$/.test(name)) return fs.isFile(name);
  const base = isAbsolute(name) ? name : join(configDir, 'filter.d', name);
  return ['.conf', '.local'].some((ext) => fs.isFile(base + ext)) || fs.list(`${base}.d`).length > 0;
}

function readFilterSpec(r: SectionReader, configDir: string, fs: ConfigFs): Pick<JailOptions, 'filter' | 'filterName' | 'filterOptions'> {
  const value = r.nonEmpty('filter');
  const none = { filter: null, filterName: null, filterOptions: {} };
  if (!value) return none;
  const spec = r.attempt('filter', value, () => parseInlineOptions(value.text, value));
  if (!spec) return none;
  const name = spec.name.trim();
  if (!filterExists(configDir, name, fs)) r.fail('filter', value, `no filter "${name}" in ${join(configDir, 'filter.d')}`);
  return { filter: value.text, filterName: name, filterOptions: spec.options };
}

/**
 * fail2ban's `action_` with the jail's banaction, port and protocol: what a jail without `action` gets.
 * Checked like a written action, so an odd port or banaction is a problem at its own file:line.
 */
function defaultAction(r: SectionReader): string[] {
  const banaction = r.nonEmpty('banaction');
  const fields = [['port', '0:65535'], ['protocol', 'tcp']] as const;
  let entry = banaction?.text ?? 'nftables';
  entry += `[${fields.map(([option, fallback]) => {
    const text = r.nonEmpty(option)?.text ?? fallback;
    return `${option}=${text.includes('"') ? `'${text}'` : `"${text}"`}`;
  }).join(', ')}]`;
  for (const option of ['banaction', 'port', 'protocol']) {
    const source = r.nonEmpty(option);
    if (source && r.attempt(option, source, () => parseInlineOptions(entry, source)) === undefined) return [];
  }
  return [entry];
}

function readActions(r: SectionReader): string[] {
  const value = r.text('action');
  if (!value) return defaultAction(r);
  const entries = splitInlineEntries(value.text).map((e) => e.trim()).filter(Boolean);
  return entries.filter((entry) => r.attempt('action', value, () => parseInlineOptions(entry, value)) !== undefined);
}

function readBantimeIncrement(r: SectionReader): BanTimeIncrement {
  const opt = (name: string): OptionText | undefined => r.nonEmpty(`bantime.${name}`);
  const factor = opt('factor');
  const formula = opt('formula');
  const multipliers = opt('multipliers');
  return {
    increment: r.bool('bantime.increment', false),
    factor: (factor && r.attempt('bantime.factor', factor, () => parseBantimeFactor(factor.text, factor))) ?? 1,
    formula: formula && r.attempt('bantime.formula', formula, () => compileBantimeFormula(formula.text, formula)) ? formula.text : null,
    multipliers: (multipliers && r.attempt('bantime.multipliers', multipliers, () => parseBantimeMultipliers(multipliers.text, multipliers))) ?? [],
    maxtime: opt('maxtime') ? r.seconds('bantime.maxtime', 0, true) || null : null,
    rndtime: opt('rndtime') ? r.seconds('bantime.rndtime', 0, true) || null : null,
    overalljails: r.bool('bantime.overalljails', false),
  };
}

function readIgnore(r: SectionReader): Pick<JailOptions, 'ignoreip' | 'ignoreself' | 'ignorecommand' | 'ignorecache'> {
  const ip = r.text('ignoreip');
  const ignoreip = ip ? splitIgnoreWords(ip.text) : [];
  for (const word of ignoreip) {
    const entry = classifyIgnoreEntry(word);
    if ('error' in entry) r.fail('ignoreip', ip!, entry.error);
  }
  const command = r.nonEmpty('ignorecommand');
  const cache = r.nonEmpty('ignorecache');
  const out: ReturnType<typeof readIgnore> = { ignoreip, ignoreself: r.bool('ignoreself', true) };
  if (command && r.attempt('ignorecommand', command, () => new IgnoreCommand(command.text, { where: command }))) out.ignorecommand = command.text;
  const parsedCache = cache && r.attempt('ignorecache', cache, () => parseIgnoreCache(cache.text, cache));
  if (parsedCache) out.ignorecache = parsedCache;
  return out;
}

function knownEncoding(label: string): boolean {
  const lower = label.toLowerCase().replace(/_/g, '-');
  return lower === 'auto' || [lower, lower.replace(/-/g, '')].some((l) => {
    try {
      new TextDecoder(l);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every option of the section and `[DEFAULT]`, interpolated when possible, else as written, and where it was written. */
function dumpOptions(stack: ConfigStack, name: string): Pick<JailOptions, 'options' | 'locations'> {
  const keys = new Set([...stack.defaults.keys(), ...(stack.sections.get(name)?.keys() ?? [])]);
  const options: Record<string, string> = {};
  const locations: Record<string, ErrorLocation> = {};
  for (const key of keys) {
    const raw = stack.sections.get(name)?.get(key) ?? stack.defaults.get(key);
    if (raw?.file) locations[key] = { file: raw.file, line: raw.line };
    try {
      options[key] = getOption(stack, name, key)?.value.text ?? '';
    } catch {
      options[key] = raw?.value.text ?? '';
    }
  }
  return { options, locations };
}

function readCountPrefix6(r: SectionReader): number {
  const prefix = r.int('countprefix6', 0, 0);
  if (prefix <= 128) return prefix;
  r.fail('countprefix6', r.nonEmpty('countprefix6')!, `an IPv6 prefix length is 128 at most, not ${prefix}`);
  return 0;
}

interface JailRead {
  options: JailOptions;
  problems: BanwardError[];
  /** Enabled, or `enabled` itself is unreadable (then its problems must not be passed over). */
  mustBeValid: boolean;
}

function readJail(stack: ConfigStack, name: string, configDir: string, fs: ConfigFs): JailRead {
  const r = new SectionReader(stack, name);
  const enabled = r.bool('enabled', false);
  const enabledUnreadable = r.problems.length > 0;
  const backend = r.nonEmpty('backend');
  if (backend) {
    const spec = r.attempt('backend', backend, () => parseInlineOptions(backend.text, backend));
    if (spec && !BACKEND_NAMES.includes(spec.name.trim().toLowerCase())) r.fail('backend', backend, `expected one of ${BACKEND_NAMES.join(', ')}, not ${JSON.stringify(spec.name.trim())}`);
  }
  const maxretry = r.int('maxretry', 3, 0);
  const logpath = r.text('logpath');
  const options: JailOptions = {
    name,
    enabled,
    ...readFilterSpec(r, configDir, fs),
    logpath: splitLogPaths(logpath?.text ?? ''),
    backend: backend?.text ?? 'auto',
    maxretry,
    findtime: r.seconds('findtime', 600, true),
    bantime: r.seconds('bantime', 600, false),
    bantimeIncrement: readBantimeIncrement(r),
    ...readIgnore(r),
    maxmatches: r.int('maxmatches', 5, 0),
    appreports: r.bool('appreports', false),
    countprefix6: readCountPrefix6(r),
    fleetCount: r.oneOf('fleet.count', ['shared', 'local'] as const) ?? 'local',
    action: readActions(r),
    ...dumpOptions(stack, name),
    unreadOptions: [],
  };
  const maxtracked = r.nonEmpty('maxtrackedips');
  if (maxtracked) options.maxtracked = r.int('maxtrackedips', 0, 1);
  if (r.text('action') === undefined) options.actionDefaulted = true;
  const usedns = r.oneOf('usedns', USEDNS_WORDS);
  if (usedns) options.usedns = usedns;
  const encoding = r.nonEmpty('logencoding');
  if (encoding) {
    if (knownEncoding(encoding.text)) options.logencoding = encoding.text;
    else r.fail('logencoding', encoding, `unknown encoding ${JSON.stringify(encoding.text)}`);
  }
  const strings = [['logtimezone', 'logtimezone'], ['port', 'port'], ['protocol', 'protocol'], ['banaction', 'banaction'], ['banaction_allports', 'banactionAllports']] as const;
  for (const [option, key] of strings) {
    const value = r.nonEmpty(option);
    if (value) options[key] = value.text;
  }
  readFilterOverrides(r, options);
  options.unreadOptions = ownOptionNames(stack, name).filter((o) => !r.asked.has(o) && !o.startsWith('__'));
  if (options.logpath.length > 0 && logpath && !r.nonEmpty('filter') && !options.failregex) {
    r.fail('logpath', logpath, 'the jail has no filter (filter =) and no failregex: its log would never be read');
  }
  return { options, problems: r.problems, mustBeValid: enabled || enabledUnreadable };
}

/** Reads and checks every jail under `configDir`; never throws for a value problem. */
export function checkJailConfig(configDir: string, context: ReadJailOptionsContext = {}): JailConfigReport {
  const fs = context.fs ?? nodeConfigFs;
  const stack = loadConfigStack(configDir, 'jail', fs);
  if (!stack) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `no jail configuration: none of jail.conf, jail.local, jail.d/ in ${configDir}`, { file: join(configDir, 'jail.conf') });
  }
  // The values fail2ban's client adds before interpolation (jail.conf's fail2ban_agent uses one).
  for (const [key, value] of [['fail2ban_version', VERSION], ['fail2ban_confpath', configDir]] as const) {
    if (!stack.defaults.has(key)) stack.defaults.set(key, { value: TracedText.of(value), file: '', line: 0 });
  }
  const report: JailConfigReport = { jails: [], problems: [], skipped: [], files: stack.files };
  for (const name of sectionNames(stack)) {
    if (name === INCLUDES_SECTION) continue;
    const { options, problems, mustBeValid } = readJail(stack, name, configDir, fs);
    if (problems.length === 0) report.jails.push(deepFreeze(options));
    else if (mustBeValid) report.problems.push(...problems);
    else report.skipped.push({ name, problems });
  }
  return report;
}

/** One error listing every problem, each as `file:line: message`. */
export function combineProblems(problems: readonly BanwardError[]): BanwardError {
  const lines = problems.map((p) => `  ${p.describe()}`);
  return new BanwardError(
    'BANWARD_ERR_CONFIG_VALUE',
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in the jail configuration:\n${lines.join('\n')}`,
    { cause: new AggregateError(problems) },
  );
}

/** Every jail (enabled or not) under `configDir`; throws one BanwardError listing every problem. */
export function readJailOptions(configDir: string, context: ReadJailOptionsContext = {}): JailOptions[] {
  const report = checkJailConfig(configDir, context);
  if (report.problems.length > 0) throw combineProblems(report.problems);
  return report.jails;
}
