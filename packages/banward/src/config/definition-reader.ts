/**
 * The options of a filter or action file: `[Definition]` plus `[Init]`, combined with the options a
 * jail supplies (`sshd[mode=aggressive]`), then `<tag>`-substituted — the values fail2ban's client
 * hands to its server. Pure: works on an already merged ConfigStore.
 *
 * Precedence: options given by the caller beat `[Init]`, which beats `[Definition]`. Each `[Init]`
 * option is also available as `<known/opt>`. `%(x)s` in the wanted `[Definition]` options sees the
 * caller's options first; `[Init]` values are interpolated on their own.
 */
import { TracedText } from './traced-text.js';
import type { RawOption } from './ini-file.js';
import { getOption, getOptionEx, ownOptionNames, type ConfigStore, type Vars } from './interpolation.js';
import { substituteTags } from './tag-substitution.js';

export interface SourcedValue {
  value: string;
  file: string;
  line: number;
}

/** A caller-supplied option: a bare string, or a value that knows where it was written. */
export type OptionInput = string | SourcedValue;

export interface DefinitionRequest {
  /** The `[Definition]` options this kind of file defines (e.g. failregex, …, journalmatch). */
  wanted: readonly string[];
  /** Options given inline by the jail (`name[k=v]`); they override `[Init]`. */
  initOptions?: Record<string, OptionInput>;
  /** The jail's own options, visible to `%(x)s` in `[Definition]` (fail2ban's "pOpts"). */
  vars?: Record<string, OptionInput>;
  /** Also return every other `[Definition]` option (and `[DEFAULT]` ones), as a jail's dump does. */
  all?: boolean;
  /** Tags to leave for later (e.g. the tags an action fills in at ban time). */
  ignoreTags?: Iterable<string>;
}

const CONDITIONAL_OPTION_RE = /^(\w+)(\?.+)$/;
const CALLER = '';

export function toRawOption(input: OptionInput): RawOption {
  if (typeof input === 'string') return { value: TracedText.of(input), file: CALLER, line: 0 };
  return { value: TracedText.of(input.value, input), file: input.file, line: input.line };
}

function toMap(record: Record<string, OptionInput> | undefined): Map<string, RawOption> {
  return new Map(Object.entries(record ?? {}).map(([k, v]) => [k, toRawOption(v)]));
}

function lowerKeys(map: Map<string, RawOption>): Vars {
  return new Map([...map].map(([k, v]) => [k.toLowerCase(), v]));
}

/** The combined, substituted options, keyed by name (`known/…` keys included). */
export function combineDefinition(store: ConfigStore, request: DefinitionRequest): Map<string, TracedText> {
  const init = toMap(request.initOptions);
  const callerVars = new Map([...toMap(request.vars), ...init]);
  const vars = lowerKeys(callerVars);

  const opts = new Map<string, TracedText>();
  for (const name of request.wanted) {
    if (callerVars.has(name)) continue;
    const option = getOption(store, 'Definition', name, vars);
    if (option) opts.set(name, option.value);
  }
  const initOpts = new Map([...init].map(([k, v]) => [k, v.value]));
  if (store.sections.has('Init')) {
    for (const name of ownOptionNames(store, 'Init')) {
      const option = getOption(store, 'Init', name) as RawOption;
      if (!name.startsWith('known/')) initOpts.set(`known/${name}`, option.value);
      if (!initOpts.has(name)) initOpts.set(name, option.value);
    }
  }
  if (request.all && store.sections.has('Definition')) {
    const names = new Set([...ownOptionNames(store, 'Definition'), ...store.defaults.keys()]);
    for (const name of names) {
      if (opts.has(name)) continue;
      const option = getOption(store, 'Definition', name) as RawOption;
      opts.set(name, option.value);
    }
  }
  const combined = new Map([...opts, ...initOpts]);
  const ignore = new Set(request.ignoreTags ?? []);
  for (const name of combined.keys()) {
    const cond = CONDITIONAL_OPTION_RE.exec(name);
    if (cond) ignore.add(cond[1]!);
  }
  return substituteTags(combined, {
    ignore,
    fallback: (tag) => getOptionEx(store, 'Definition', tag, vars)?.value,
  });
}
