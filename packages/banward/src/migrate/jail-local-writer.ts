/**
 * `banward migrate --write`: a jail.local for banward's configuration that reproduces fail2ban's enabled
 * jails — the same filters (banward's bundled one of that name, else fail2ban's file copied into the
 * target's filter.d on this machine), logs, counts and times, with fail2ban's firewall actions replaced by
 * banward's native ones (nftables, ipset, route, hostsdeny, firewalld, shorewall). Where the native action
 * does the job differently, a note says so with the jail's `action` file:line and what to do. A jail whose
 * actions have no native equivalent is left out and named: keep `--config /etc/fail2ban` for it, or
 * replace its action by hand.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionPlan, JailSpec } from '../compile/index.js';
import { locate } from '../errors.js';

type Native = 'nftables' | 'ipset' | 'route' | 'hostsdeny' | 'firewalld' | 'shorewall';

/** fail2ban's firewall actions and the native action that does the same job. */
const NATIVE_EQUIVALENT: Readonly<Record<string, { action: Native; allports: boolean }>> = {
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
  'route': { action: 'route', allports: true },
  'hostsdeny': { action: 'hostsdeny', allports: true },
  'firewallcmd-allports': { action: 'firewalld', allports: true },
  'firewallcmd-ipset': { action: 'firewalld', allports: false },
  'firewallcmd-multiport': { action: 'firewalld', allports: false },
  'firewallcmd-new': { action: 'firewalld', allports: false },
  'firewallcmd-rich-rules': { action: 'firewalld', allports: false },
  'firewallcmd-rich-logging': { action: 'firewalld', allports: false },
  'shorewall': { action: 'shorewall', allports: true },
  'shorewall-ipset-proto6': { action: 'shorewall', allports: true },
  // banward has no ufw action by decision: its own nftables table works beside ufw's (README, Enforcement).
  'ufw': { action: 'nftables', allports: false },
};

/** The blocktypes fail2ban's route action takes that banward's does the same with; fail2ban's default is unreachable. */
const ROUTE_TYPES = new Set(['blackhole', 'unreachable', 'prohibit']);

/** Jail options copied as they are, when the jail sets them. */
const COPIED = ['ignoreself', 'usedns', 'maxmatches', 'logencoding', 'logtimezone', 'datepattern'];

export interface WrittenJails {
  /** The jail.local text. */
  text: string;
  /** Jails reproduced. */
  written: string[];
  /** Jails left out, with why. */
  leftOut: { jail: string; reason: string }[];
  /** Jails written whose native action does the job differently: where the action is set, what differs, what to do. */
  notes: { jail: string; what: string; todo: string }[];
  /** fail2ban filter files copied into the target's filter.d (target path). */
  copiedFilters: string[];
}

function quoted(value: string): string {
  return /^[\w.:/-]+$/.test(value) ? value : `"${value.replace(/"/g, '\\"')}"`;
}

type Mapped = { entry: string; note?: { what: string; todo: string } } | { reason: string };

function nativeAction(plan: ActionPlan, spec: JailSpec): Mapped {
  const equivalent = Object.hasOwn(NATIVE_EQUIVALENT, plan.name) ? NATIVE_EQUIVALENT[plan.name] : undefined;
  if (!equivalent) return { reason: `action ${plan.name} has no native equivalent in banward` };
  const option = (name: string) => plan.options[name] ?? spec.options.options[name];
  const carried = (...names: string[]) => names.flatMap((n) => (option(n) ? [`${n}=${quoted(option(n)!)}`] : []));
  const ports = () => {
    if (equivalent.allports || option('type') === 'allports') return ['type=allports'];
    return [...carried('port'), ...carried('protocol')];
  };
  const parts: string[] = [];
  let note: { what: string; todo: string } | undefined;
  switch (equivalent.action) {
    case 'route': {
      const blocktype = option('blocktype') ?? 'unreachable';
      if (!ROUTE_TYPES.has(blocktype)) return { reason: `action route with blocktype ${blocktype}: banward's route action makes blackhole, unreachable or prohibit routes only` };
      parts.push(`blocktype=${blocktype}`);
      break;
    }
    case 'hostsdeny':
      parts.push(...carried('file', 'daemon_list'));
      break;
    case 'firewalld':
      // firewallcmd-ipset[actiontype=<allports>] blocks every port, as firewallcmd-allports does.
      if (!equivalent.allports && option('actiontype') !== '<allports>') {
        note = {
          what: `action ${plan.name} rejects the jail's ports (${option('port') ?? '1:65535'}); banward's firewalld action binds the address to the drop zone: every port, dropped`,
          todo: 'nothing to do if the wider block is what you want; else keep --config /etc/fail2ban for this jail',
        };
      }
      break;
    case 'shorewall':
      note = {
        what: `action ${plan.name} ${plan.name === 'shorewall' ? 'runs `shorewall <blocktype> <ip>`' : 'adds to fail2ban\'s f2b-* ipsets'}; banward's shorewall action keeps the ipsets bw-${spec.name}-4 and bw-${spec.name}-6 that shorewall's blacklist rules must match`,
        todo: `add \`DROP net:+bw-${spec.name}-4 all\` to /etc/shorewall/blrules (and \`DROP net:+bw-${spec.name}-6 all\` to shorewall6's), then shorewall restart`,
      };
      break;
    default:
      parts.push(...ports(), ...(plan.name === 'ufw' ? [] : carried('blocktype')));
      if (plan.name === 'ufw') {
        note = {
          what: 'action ufw: banward has no ufw action; it bans with its own nftables table (inet banward), beside ufw\'s rules and evaluated as well, so ufw stays as it is',
          todo: 'nothing to do; `ufw status` will not list banward\'s bans: `banward status <jail>` does',
        };
      }
  }
  return { entry: `${equivalent.action}[${parts.join(', ')}]`, ...(note ? { note } : {}) };
}

/** The lines of one jail's section, or why it cannot be reproduced. */
function section(spec: JailSpec, filterName: string | null): { lines: string[]; notes: WrittenJails['notes'] } | { reason: string } {
  const { options } = spec;
  const actions: string[] = [];
  const notes: WrittenJails['notes'] = [];
  const where = options.locations['action'] ?? options.locations['banaction'];
  for (const plan of spec.actions) {
    if (plan.origin === 'native') actions.push(plan.entry);
    else {
      const native = nativeAction(plan, spec);
      if ('reason' in native) return native;
      actions.push(native.entry);
      if (native.note) notes.push({ jail: spec.name, what: where ? locate(where, native.note.what) : native.note.what, todo: native.note.todo });
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
  return { lines, notes };
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
  const notes: WrittenJails['notes'] = [];
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
    notes.push(...result.notes);
    written.push(spec.name);
  }
  for (const jail of options.disable) if (!written.includes(jail)) out.push(`[${jail}]`, 'enabled = false', '');
  return { text: out.join('\n'), written, leftOut, notes, copiedFilters };
}
