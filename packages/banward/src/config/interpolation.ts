/**
 * `%(name)s` interpolation as fail2ban does it (Python's BasicInterpolation plus fail2ban's
 * additions). Pure: works on a ConfigStore that is already merged.
 *
 * A reference is looked up, in order, in the caller's vars, the section, and `[DEFAULT]`; names are
 * case-insensitive. Then the special forms:
 * - `%(__name__)s` is the name of the section being read (so a `[DEFAULT]` value used by a jail
 *   sees the jail's name);
 * - `%(known/opt)s` is the value `opt` had in this section before the file being read overrode it
 *   (falling back to `[DEFAULT]`);
 * - `%(default/opt)s` is `[DEFAULT]`'s value; `%(sec/opt)s` is section `sec`'s (else `[DEFAULT]`'s).
 * A referenced value is itself interpolated in the context of the section being read, at most ten
 * levels deep. `%%` is a literal `%`.
 */
import { BanwardError } from '../errors.js';
import { DEFAULT_SECTION, type OptionMap, type RawOption } from './ini-file.js';
import { TracedText } from './traced-text.js';

export interface ConfigStore {
  defaults: OptionMap;
  /** Includes the `KNOWN/<section>` shadows that keep values overridden by later files. */
  sections: Map<string, OptionMap>;
}

/** Values supplied by the caller; keys are lower-cased like option names. */
export type Vars = ReadonlyMap<string, RawOption>;

export const KNOWN_PREFIX = 'KNOWN/';
const MAX_DEPTH = 10;
const REFERENCE_RE = /^%\(([^)]+)\)s/;
const SECTION_OPTION_RE = /^([\w-]+)\/(.+)$/;
const SECTION_OPTION_EX_RE = /^([\w-]+)\/([^\s>]+)$/;

function chainLookup(store: ConfigStore, section: string, key: string, vars?: Vars): RawOption | undefined {
  return vars?.get(key) ?? store.sections.get(section)?.get(key) ?? store.defaults.get(key);
}

/** `%(sec/opt)s`: the raw value, or undefined when nothing of that name exists. */
function lookupSectionOption(store: ConfigStore, section: string, ref: string): RawOption | undefined {
  const m = SECTION_OPTION_RE.exec(ref);
  if (!m) return undefined;
  const sec = m[1]!;
  const key = m[2]!.toLowerCase();
  const lower = sec.toLowerCase();
  if (lower === 'default') return store.defaults.get(key);
  if (lower === 'known') {
    return store.sections.get(KNOWN_PREFIX + section)?.get(key) ?? store.defaults.get(key);
  }
  const target = store.sections.get(sec);
  return target && (target.get(key) ?? store.defaults.get(key));
}

/** Expands every `%(…)s` in `option`'s value, read as option `name` of `section`. */
export function interpolate(
  store: ConfigStore,
  section: string,
  name: string,
  option: RawOption,
  vars?: Vars,
): TracedText {
  const where = { file: option.file, line: option.line };
  const walk = (value: TracedText, depth: number): TracedText => {
    if (depth > MAX_DEPTH) {
      throw new BanwardError(
        'BANWARD_ERR_CONFIG_RECURSION',
        `option "${name}" in [${section}]: %(…)s references nest deeper than ${MAX_DEPTH} levels (a reference loop?)`,
        where,
      );
    }
    const parts: TracedText[] = [];
    let rest = value;
    while (rest.length > 0) {
      const p = rest.text.indexOf('%');
      if (p < 0) {
        parts.push(rest);
        break;
      }
      if (p > 0) {
        parts.push(rest.slice(0, p));
        rest = rest.slice(p);
      }
      const next = rest.text[1];
      if (next === '%') {
        parts.push(rest.slice(0, 1));
        rest = rest.slice(2);
        continue;
      }
      const m = next === '(' ? REFERENCE_RE.exec(rest.text) : null;
      if (!m) {
        throw new BanwardError(
          'BANWARD_ERR_CONFIG_SYNTAX',
          `option "${name}" in [${section}]: "%" must be followed by "%" or "(name)s", found ${JSON.stringify(rest.text.slice(0, 30))}`,
          where,
        );
      }
      rest = rest.slice(m[0].length);
      const ref = m[1]!;
      const key = ref.toLowerCase();
      let found: TracedText | undefined;
      if (key === '__name__') found = TracedText.of(section, where);
      else found = (chainLookup(store, section, key, vars) ?? lookupSectionOption(store, section, ref))?.value;
      if (!found) {
        throw new BanwardError(
          'BANWARD_ERR_CONFIG_REFERENCE',
          `option "${name}" in [${section}] refers to %(${ref})s, which is not defined`,
          where,
        );
      }
      parts.push((found.text.includes('%') ? walk(found, depth + 1) : found).nest());
    }
    return TracedText.join(parts);
  };
  return walk(option.value, 1);
}

/** An option's interpolated value, or undefined when the section or the option does not exist. */
export function getOption(store: ConfigStore, section: string, name: string, vars?: Vars): RawOption | undefined {
  if (section !== DEFAULT_SECTION && !store.sections.has(section)) return undefined;
  const key = name.toLowerCase();
  const raw = chainLookup(store, section, key, vars);
  if (!raw) return undefined;
  return { ...raw, value: interpolate(store, section, key, raw, vars) };
}

/**
 * Like getOption, but `sec/opt` names another section's option (`known/opt` the overridden value,
 * else the current one; `default/opt` `[DEFAULT]`'s) — the lookup `<sec/opt>` tags use.
 */
export function getOptionEx(store: ConfigStore, section: string, name: string, vars?: Vars): RawOption | undefined {
  const m = name.includes('/') ? SECTION_OPTION_EX_RE.exec(name) : null;
  if (m) {
    const sec = m[1]!;
    const opt = m[2]!;
    const lower = sec.toLowerCase();
    const candidates =
      lower === 'known' ? [KNOWN_PREFIX + section, section] : [lower === 'default' ? DEFAULT_SECTION : sec];
    for (const candidate of candidates) {
      const found = getOption(store, candidate, opt);
      if (found) return found;
    }
  }
  return getOption(store, section, name, vars);
}

/** Own option names of a section, without those inherited from `[DEFAULT]`. */
export function ownOptionNames(store: ConfigStore, section: string): string[] {
  return [...(store.sections.get(section)?.keys() ?? [])];
}
