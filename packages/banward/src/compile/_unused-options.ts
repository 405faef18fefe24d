/**
 * BANWARD_W_UNUSED_OPTION: an option a jail section sets that banward does not read and no `%(name)s`
 * or `<name>` in the files the jail is made of refers to — `maxretyr = 3` would otherwise change nothing,
 * silently, as in fail2ban.
 */
import { readFileSync } from 'node:fs';
import type { JailOptions } from '../jail/index.js';
import type { BanwardWarning } from '../warnings.js';

const REFERENCE = /%\(([^)\s]+)\)s|<([\w.-]+)>/g;

/** The option names `%(x)s` and `<x>` references in these files name (`known/x` counts as x). */
export function referencedNames(files: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(REFERENCE)) names.add((m[1] ?? m[2] ?? '').replace(/^known\//, ''));
  }
  return names;
}

export function unusedOptionWarnings(options: JailOptions, referenced: ReadonlySet<string>): BanwardWarning[] {
  return options.unreadOptions.filter((name) => !referenced.has(name)).map((name) => ({
    code: 'BANWARD_W_UNUSED_OPTION',
    message: `[${options.name}] ${name}: nothing reads this option (misspelled?); it has no effect`,
    ...options.locations[name],
  }));
}
