/**
 * `banward migrate`: what banward will do with a fail2ban configuration, jail by jail — the same as
 * fail2ban, or where it differs and what to do about it (each with file:line where the cause is written).
 * Built from the compile step the daemon starts from, so the report is what the daemon will do.
 */
import type { CompiledConfiguration, JailSpec } from '../compile/index.js';
import { locate } from '../errors.js';
import { describeWarning } from '../warnings.js';

export interface MigrationItem {
  /** `differs`: banward runs it, not as fail2ban would; `unsupported`: banward does not run it; `note`: a choice made. */
  kind: 'differs' | 'unsupported' | 'note';
  what: string;
  todo?: string;
}

export interface JailMigration {
  jail: string;
  /** True when nothing differs or is unsupported (notes aside). */
  same: boolean;
  items: MigrationItem[];
}

export interface MigrationReport {
  from: string;
  /** Problems that make banward refuse the whole configuration (file:line): nothing runs until they are fixed. */
  refused: string[];
  /** Warnings not tied to one jail's section (options nothing reads, regexes that may backtrack). */
  warnings: string[];
  jails: JailMigration[];
}

function jailItems(spec: JailSpec): MigrationItem[] {
  const items: MigrationItem[] = [];
  for (const reason of spec.unavailable) {
    items.push({ kind: 'unsupported', what: reason, todo: 'use a shell action.d file or a native action (nftables, ipset) instead; until then its bans are recorded without it' });
  }
  if (spec.unenforced !== null) {
    items.push({ kind: 'unsupported', what: `bans are recorded, not enforced: ${spec.unenforced}`, todo: 'give the jail an action that blocks (banaction = nftables)' });
  }
  for (const plan of spec.actions) {
    if ((plan.definition?.properties['actionprolong'] ?? '').trim() !== '') {
      items.push({ kind: 'differs', what: `action ${plan.name} has an actionprolong: banward does not prolong a ban in force, it runs its first length`, todo: 'nothing to do unless you rely on prolonging (bantime.increment still lengthens the next ban)' });
    }
  }
  for (const warning of spec.warnings) items.push({ kind: 'differs', what: warning });
  for (const notice of spec.notices) items.push({ kind: 'note', what: notice });
  return items;
}

export function migrationReport(from: string, config: CompiledConfiguration): MigrationReport {
  return {
    from,
    refused: config.problems.map((p) => locate(p, p.message)),
    warnings: config.warnings.map(describeWarning),
    jails: config.jails.map((spec) => {
      const items = jailItems(spec);
      return { jail: spec.name, same: items.every((i) => i.kind === 'note'), items };
    }),
  };
}

/** The report as the admin reads it; the last line says what to do next. */
export function describeMigration(report: MigrationReport): string[] {
  const lines = [`banward migrate: ${report.from}`];
  if (report.refused.length > 0) {
    lines.push('REFUSED: banward does not start on this configuration until these are fixed:');
    for (const p of report.refused) lines.push(`  ${p}`);
    return lines;
  }
  for (const j of report.jails) {
    lines.push(`[${j.jail}] ${j.same ? 'same as fail2ban' : 'differs'}`);
    for (const item of j.items) lines.push(`  ${item.kind}: ${item.what}${item.todo ? `\n    → ${item.todo}` : ''}`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  const same = report.jails.filter((j) => j.same).length;
  lines.push(`${same} of ${report.jails.length} enabled jail(s) behave as in fail2ban. Next: banward migrate --import-bans, then stop fail2ban and start banward (--config ${report.from}, or the jail.local --write makes).`);
  return lines;
}
