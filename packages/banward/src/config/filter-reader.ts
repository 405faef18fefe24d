/**
 * A filter from `filter.d`, read the way fail2ban's client reads it for a jail: the final regex
 * lists and settings, after `[INCLUDES]`, `.local` overrides, `%(x)s` interpolation and `<tag>`
 * substitution. Tags the server resolves (`<HOST>`, `<ADDR>`, `<F-USER>`, `<SKIPLINES>`, …) are
 * left in the regexes, unless the filter itself defines an option of that name.
 */
import { basename, isAbsolute, join } from 'node:path';
import { BanwardError } from '../errors.js';
import { nodeConfigFs, type ConfigFs } from './config-fs.js';
import { loadConfigFiles, loadConfigStack, type ConfigStack } from './config-stack.js';
import { isUseDns, type UseDns } from './fail2ban-words.js';
import { combineDefinition, type OptionInput, type SourcedValue } from './definition-reader.js';
import { parseInlineOptions } from './inline-options.js';
import { splitShellWords } from './shell-words.js';
import type { TracedText } from './traced-text.js';

/** The `[Definition]` options that make up a filter, in the order fail2ban reads them. */
export const FILTER_OPTION_NAMES = [
  'usedns',
  'prefregex',
  'ignoreregex',
  'failregex',
  'maxlines',
  'datepattern',
  'journalmatch',
] as const;


export interface FilterDefinition {
  /** e.g. "sshd". */
  name: string;
  /** The main file: `filter.d/<name>.conf`, or the first file read when there is none. */
  file: string;
  /** One entry per non-empty line of `failregex`, in order. */
  failregex: SourcedValue[];
  ignoreregex: SourcedValue[];
  /** Present when defined, even if empty. */
  prefregex?: SourcedValue;
  maxlines?: number;
  datepattern?: SourcedValue;
  /**
   * One entry per non-empty line of `journalmatch`, each split into shell words as fail2ban does:
   * `_SYSTEMD_UNIT=sshd.service + _COMM=sshd` → `['_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd']`.
   */
  journalmatch: string[][];
  usedns?: UseDns;
  /** Every final `[Definition]`/`[Init]` value (plus `[DEFAULT]` ones and `known/…`), for dump-config. */
  options: Record<string, string>;
  /** Every file read, in order. */
  files: string[];
}

export interface ReadFilterContext {
  /** The jail's own options, which `%(x)s` in the filter's `[Definition]` can see. */
  vars?: Record<string, OptionInput>;
  fs?: ConfigFs;
}

function sourced(text: TracedText): SourcedValue {
  return { value: text.text, ...text.origin() };
}

function lines(text: TracedText | undefined): TracedText[] {
  return text ? text.split('\n').filter((l) => l.text !== '') : [];
}

function valueError(text: TracedText, message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_CONFIG_VALUE', message, text.origin());
}

function loadFilterFiles(configDir: string, name: string, fs: ConfigFs): ConfigStack {
  if (/\.(conf|local)$/.test(name) && fs.isFile(name)) return loadConfigFiles([name], fs);
  const base = isAbsolute(name) ? name : join(configDir, 'filter.d', name);
  const stack = loadConfigStack(configDir, base, fs);
  if (!stack) {
    throw new BanwardError(
      'BANWARD_ERR_FILTER_NOT_FOUND',
      `no filter "${name}": none of ${base}.conf, ${base}.local, ${base}.d/ exists`,
    );
  }
  return stack;
}

/**
 * Reads filter `filter` ("sshd", "sshd[mode=aggressive]" or a path to a .conf file) from
 * `configDir` (laid out like /etc/fail2ban). `extraOptions` are the options a jail passes to its
 * filter (`mode`, `logtype`, …); inline options in `filter` take precedence over them.
 */
export function readFilter(
  configDir: string,
  filter: string,
  extraOptions: Record<string, OptionInput> = {},
  context: ReadFilterContext = {},
): FilterDefinition {
  const fs = context.fs ?? nodeConfigFs;
  const spec = parseInlineOptions(filter);
  const name = spec.name.trim();
  const stack = loadFilterFiles(configDir, name, fs);
  const initOptions = { ...extraOptions, ...spec.options };
  const request = { wanted: FILTER_OPTION_NAMES, initOptions, ...(context.vars ? { vars: context.vars } : {}) };
  const final = combineDefinition(stack, request);
  const everything = combineDefinition(stack, { ...request, all: true });

  const shortName = basename(name).replace(/\.(conf|local)$/, '');
  const definition: FilterDefinition = {
    name: shortName,
    file: stack.files.find((f) => f.endsWith(`/${shortName}.conf`)) ?? stack.files[0] ?? name,
    failregex: lines(final.get('failregex')).map(sourced),
    ignoreregex: lines(final.get('ignoreregex')).map(sourced),
    journalmatch: [],
    options: Object.fromEntries([...everything].map(([k, v]) => [k, v.text])),
    files: stack.files,
  };
  const prefregex = final.get('prefregex');
  if (prefregex) definition.prefregex = sourced(prefregex);
  const datepattern = final.get('datepattern');
  if (datepattern) definition.datepattern = sourced(datepattern);
  const maxlines = final.get('maxlines');
  if (maxlines) {
    if (!/^\s*[+-]?\d+\s*$/.test(maxlines.text)) throw valueError(maxlines, `maxlines must be a whole number, not ${JSON.stringify(maxlines.text)}`);
    definition.maxlines = Number.parseInt(maxlines.text, 10);
  }
  const usedns = final.get('usedns');
  if (usedns) {
    const v = usedns.text.trim().toLowerCase();
    if (!isUseDns(v)) throw valueError(usedns, `usedns must be yes, warn, no or raw, not ${JSON.stringify(usedns.text)}`);
    definition.usedns = v;
  }
  for (const line of lines(final.get('journalmatch'))) {
    const words = splitShellWords(line.text);
    if ('error' in words) throw valueError(line, `journalmatch ${JSON.stringify(line.text)}: ${words.error}`);
    definition.journalmatch.push(words);
  }
  return definition;
}
