/**
 * Reading one configuration "name" the way fail2ban does: `X.conf`, `X.d/*.conf`, `X.local`,
 * `X.d/*.local`, each preceded and followed by the files its `[INCLUDES]` `before`/`after` name
 * (and their `.local` companions), then merged file by file: later files override earlier ones
 * option by option, `[DEFAULT]` merges into `[DEFAULT]`, and `[Sec?cond=val]` merges into `[Sec]` as
 * options named `opt?cond=val`. An overridden value stays reachable as `%(known/opt)s`.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { BanwardError } from '../errors.js';
import { nodeConfigFs, type ConfigFs } from './config-fs.js';
import { DEFAULT_SECTION, parseIni, type IniFile, type OptionMap, type RawOption } from './ini-file.js';
import { getOption, KNOWN_PREFIX, type ConfigStore } from './interpolation.js';

export const INCLUDES_SECTION = 'INCLUDES';
const CONDITIONAL_SECTION_RE = /^(\w+)(\?.+)$/;

export interface ConfigStack extends ConfigStore {
  /** Every file read, in reading order (a file included twice appears twice, as in fail2ban). */
  files: string[];
}

/** `base.conf`, `base.d/*.conf`, `base.local`, `base.d/*.local` — those that exist. */
export function stackFileNames(base: string, fs: ConfigFs = nodeConfigFs): string[] {
  const dir = `${base}.d`;
  const inDir = (ext: string): string[] =>
    fs
      .list(dir)
      .filter((n) => n.endsWith(ext) && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  return [`${base}.conf`, ...inDir('.conf'), `${base}.local`, ...inDir('.local')].filter((f) => fs.isFile(f));
}

function localCompanion(file: string): string {
  const dot = file.lastIndexOf('.');
  const slash = file.lastIndexOf('/');
  return `${dot > slash + 1 ? file.slice(0, dot) : file}.local`;
}

class StackReader {
  private readonly cache = new Map<string, IniFile | null>();
  constructor(private readonly fs: ConfigFs) {}

  parsed(file: string): IniFile | null {
    let ini = this.cache.get(file);
    if (ini === undefined) {
      const text = this.fs.readText(file);
      ini = text === undefined || !this.fs.isFile(file) ? null : parseIni(text, file);
      this.cache.set(file, ini);
    }
    return ini;
  }

  /** The files to read for `files`, with includes expanded; `chain` is the include path so far. */
  expand(files: string[], chain: string[]): string[] {
    const withLocals: string[] = [];
    for (const f of files) {
      withLocals.push(f);
      const local = localCompanion(f);
      if (!files.includes(local) && this.fs.isFile(local)) withLocals.push(local);
    }
    return withLocals.flatMap((f) => this.expandOne(f, chain));
  }

  private expandOne(file: string, chain: string[]): string[] {
    const ini = this.parsed(file);
    if (!ini) return [];
    const includes = ini.sections.get(INCLUDES_SECTION);
    const lists = { before: [] as string[], after: [] as string[] };
    if (includes) {
      const store: ConfigStore = { defaults: ini.defaults, sections: ini.sections };
      for (const which of ['before', 'after'] as const) {
        const option = getOption(store, INCLUDES_SECTION, which);
        if (!option) continue;
        for (const entry of option.value.text.split('\n')) {
          if (entry === '') continue;
          const target = isAbsolute(entry) ? entry : join(dirname(file), entry);
          const path = [...chain, file];
          // The target's .local companion is read with it: a file including the .conf it is the .local of loops too.
          const reads = [resolve(target), resolve(localCompanion(target))];
          if (path.some((p) => reads.includes(resolve(p)))) {
            throw new BanwardError(
              'BANWARD_ERR_CONFIG_INCLUDE_LOOP',
              `files include each other in a loop: ${[...path, target].join(' -> ')}`,
              { file: option.file, line: option.line },
            );
          }
          lists[which].push(...this.expand([target], path));
        }
      }
    }
    return [...lists.before, file, ...lists.after];
  }
}

function mergeFile(stack: ConfigStack, ini: IniFile): void {
  for (const [k, v] of ini.defaults) stack.defaults.set(k, v);
  for (const [rawName, options] of ini.sections) {
    let name = rawName;
    let section: OptionMap = options;
    const cond = CONDITIONAL_SECTION_RE.exec(rawName);
    if (cond) {
      const condition = cond[2]!;
      name = cond[1]!;
      section = new Map([...options].map(([k, v]) => [k + condition, v]));
    }
    const existing = stack.sections.get(name);
    if (!existing) {
      stack.sections.set(name, new Map(section));
      continue;
    }
    const knownName = KNOWN_PREFIX + name;
    const known: OptionMap = stack.sections.get(knownName) ?? new Map<string, RawOption>();
    for (const [k, v] of existing) if (section.has(k)) known.set(k, v);
    stack.sections.set(knownName, known);
    for (const [k, v] of section) existing.set(k, v);
  }
}

/** Reads and merges `files` (each with its includes and `.local`) into one store. */
export function loadConfigFiles(files: string[], fs: ConfigFs = nodeConfigFs): ConfigStack {
  const reader = new StackReader(fs);
  const stack: ConfigStack = { defaults: new Map(), sections: new Map(), files: [] };
  for (const file of reader.expand(files, [])) {
    const ini = reader.parsed(file);
    if (!ini) continue;
    stack.files.push(file);
    mergeFile(stack, ini);
  }
  return stack;
}

/**
 * Reads `name` under `configDir` — e.g. `jail`, `fail2ban`, `filter.d/sshd`, `action.d/iptables` —
 * with its `.d` directory, `.local` files and includes. Undefined when no file exists.
 */
export function loadConfigStack(configDir: string, name: string, fs: ConfigFs = nodeConfigFs): ConfigStack | undefined {
  const files = stackFileNames(isAbsolute(name) ? name : join(configDir, name), fs);
  return files.length === 0 ? undefined : loadConfigFiles(files, fs);
}

/** Section names a reader should show: without fail2ban's internal `KNOWN/` shadows. */
export function sectionNames(store: ConfigStore): string[] {
  return [...store.sections.keys()].filter((n) => !n.startsWith(KNOWN_PREFIX));
}

export { DEFAULT_SECTION };
