/** What a compiled jail will do, in the words test-config prints and the daemon's start logs and status show. */
import { combineProblems } from '../jail/index.js';
import type { JailSpec } from './jail-spec.js';

export { combineProblems };

/** The jail's input as `status` shows it: files, journal matches, or neither (app reports only). */
export function jailInputs(spec: JailSpec): { files?: string[]; journalMatch?: string[] } {
  if (!spec.filter) return {};
  if (spec.backend.startsWith('systemd')) return { journalMatch: spec.filter.journalmatch.map((m) => m.join(' ')) };
  return spec.options.logpath.length > 0 ? { files: spec.options.logpath.map((p) => p.path) } : {};
}

function inputText(spec: JailSpec): string {
  const inputs = jailInputs(spec);
  if (inputs.journalMatch) return `reads the systemd journal (${inputs.journalMatch.join(' | ') || 'every entry'})`;
  if (inputs.files) return `reads ${inputs.files.join(', ')} (backend ${spec.backend})`;
  return spec.filter ? 'reads no log (no logpath)' : 'takes application reports only (no filter)';
}

/** One summary line, then the jail's notices and warnings, each prefixed with `[name]`. */
export function describeJail(spec: JailSpec): string[] {
  const { options, filter } = spec;
  const regexes = filter ? `, filter ${filter.name ?? 'of its own failregex'} (${filter.spec.failregex.length} failregex)` : '';
  const bantime = options.bantime < 0 ? 'for ever' : `for ${options.bantime}s`;
  const actions = spec.actions.length > 0 ? spec.actions.map((a) => a.entry).join(', ') : 'none';
  return [
    `[${spec.name}] ${inputText(spec)}${regexes}; bans after ${options.maxretry} failures in ${options.findtime}s, ${bantime}; actions: ${actions}`,
    ...spec.notices.map((n) => `[${spec.name}] ${n}`),
    ...spec.warnings.map((w) => `[${spec.name}] ${w}`),
  ];
}
