/**
 * `banward migrate --write`: a jail.local for banward's configuration that reproduces fail2ban's enabled
 * jails — the same filters (banward's bundled one of that name, else fail2ban's file copied into the
 * target's filter.d on this machine), logs, counts and times, with fail2ban's firewall actions replaced by
 * banward's native nftables or ipset ones. A jail whose actions have no native equivalent is left out and
 * named: keep `--config /etc/fail2ban` for it, or replace its action by hand.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionPlan, JailSpec } from '../compile/index.js';

/** fail2ban's firewall actions and the native action that does the same job. */
const NATIVE_EQUIVALENT: Readonly<Record<string, { action: 'nftables' | 'ipset'; allports: boolean }>> = {
  'nftables': { action: 'nftables', allports: false },
  'nftables-multiport': { action: 'nftables', allports: false },
  'nftables-allports': { action: 'nftables', allports: true },
  'iptables': { action: 'ipset', allports: false },
  'iptables-multiport': { action: 'ipset', allports: false },
  'iptables-new': { action: 'ipset', allports: false },
  'iptables-allports': { action: 'ipset', allports: true },
  'iptables-ipset': { action: 'ipset', allports: false },
  'iptables-ipset-proto6': { action: 'ipset', allports: false },
  'iptables-ipset-proto6-allports': { action: 'ipset', allports: true },
};

/** Jail options copied as they are, when the jail sets them. */
const COPIED = ['ignoreself', 'usedns', 'maxmatches', 'logencoding', 'logtimezone', 'datepattern'];

export interface WrittenJails {
  /** The jail.local text. */
  text: string;
  /** Jails reproduced. */
  written: string[];
  /** Jails left out, with why. */
  leftOut: { jail: string; reason: string }[];
  /** fail2ban filter files copied into the target's filter.d (target path). */
  copiedFilters: string[];
}

function quoted(value: string): string {
  return /^[\w.:/-]+$/.test(value) ? value : `"${value.replace(/"/g, '\\"')}"`;
}

function nativeAction(plan: ActionPlan, spec: JailSpec): string | null {
  const equivalent = Object.hasOwn(NATIVE_EQUIVALENT, plan.name) ? NATIVE_EQUIVALENT[plan.name] : undefined;
  if (!equivalent) return null;
  const option = (name: string) => plan.options[name] ?? spec.options.options[name];
  const parts: string[] = [];
  const type = option('type');
  if (equivalent.allports || type === 'allports') parts.push('type=allports');
  else if (option('port')) parts.push(`port=${quoted(option('port')!)}`);
  if (option('protocol')) parts.push(`protocol=${quoted(option('protocol')!)}`);
  if (option('blocktype')) parts.push(`blocktype=${quoted(option('blocktype')!)}`);
  return `${equivalent.action}[${parts.join(', ')}]`;
}

/** The lines of one jail's section, or why it cannot be reproduced. */
function section(spec: JailSpec, filterName: string | null): { lines: string[] } | { reason: string } {
  const { options } = spec;
  const actions: string[] = [];
  for (const plan of spec.actions) {
    if (plan.origin === 'native') actions.push(plan.entry);
    else {
      const native = nativeAction(plan, spec);
      if (native === null) return { reason: `action ${plan.name} has no native equivalent in banward` };
      actions.push(native);
    }
  }
  const lines = [`[${spec.name}]`, 'enabled = true'];
  if (filterName !== null) {
    const filterOptions = Object.entries(options.filterOptions).map(([k, v]) => `${k}=${quoted(v)}`);
    lines.push(`filter = ${filterName}${filterOptions.length ? `[${filterOptions.join(', ')}]` : ''}`);
  }
  if (options.logpath.length > 0) lines.push(`logpath = ${options.logpath.map((p) => p.path).join('\n          ')}`);
  lines.push(`backend = ${options.backend}`, `maxretry = ${options.maxretry}`, `findtime = ${options.findtime}`, `bantime = ${options.bantime}`);
  for (const [k, v] of Object.entries(options.options)) if (k.startsWith('bantime.')) lines.push(`${k} = ${v}`);
  if (options.ignoreip.length > 0) lines.push(`ignoreip = ${options.ignoreip.join(' ')}`);
  for (const k of COPIED) if (options.options[k] !== undefined) lines.push(`${k} = ${options.options[k]}`);
  for (const kind of ['failregex', 'ignoreregex'] as const) {
    const values = options[kind];
    if (values && values.length > 0) lines.push(`${kind} = ${values.map((v) => v.value).join('\n            ')}`);
  }
  if (options.prefregex) lines.push(`prefregex = ${options.prefregex.value}`);
  lines.push(`action = ${actions.join('\n         ') || 'log'}`);
  return { lines };
}

/**
 * `from`'s compiled jails as a jail.local for `to`; fail2ban filters banward does not bundle are copied
 * into `to`/filter.d (when `copy`), so the written file compiles there. `disable`: jails `to` enables that
 * fail2ban does not run, written `enabled = false` so banward runs the same set.
 */
export function writeJailLocal(jails: readonly JailSpec[], options: { from: string; to: string; disable: readonly string[]; copy: boolean }): WrittenJails {
  const out: string[] = [`# Written by banward migrate from ${options.from}: fail2ban's enabled jails, with native actions.`, ''];
  const written: string[] = [];
  const leftOut: WrittenJails['leftOut'] = [];
  const copiedFilters: string[] = [];
  for (const spec of jails) {
    const name = spec.filter?.name ?? null;
    if (name !== null && !existsSync(join(options.to, 'filter.d', `${name}.conf`))) {
      const source = join(options.from, 'filter.d', `${name}.conf`);
      if (!existsSync(source)) {
        leftOut.push({ jail: spec.name, reason: `its filter ${name} is neither in ${options.to}/filter.d nor in ${options.from}/filter.d` });
        continue;
      }
      const target = join(options.to, 'filter.d', `${name}.conf`);
      if (options.copy) copyFileSync(source, target);
      copiedFilters.push(target);
    }
    const result = section(spec, name);
    if ('reason' in result) {
      leftOut.push({ jail: spec.name, reason: result.reason });
      continue;
    }
    out.push(...result.lines, '');
    written.push(spec.name);
  }
  for (const jail of options.disable) if (!written.includes(jail)) out.push(`[${jail}]`, 'enabled = false', '');
  return { text: out.join('\n'), written, leftOut, copiedFilters };
}
