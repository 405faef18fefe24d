import { createHash } from 'node:crypto';
import { parseIp } from '../../net/ip-address.js';
import type { ResolvedSpec } from './_options.js';
import { elementKey, timeoutSeconds, type Applied, type ElementDiff } from './_elements.js';

/** The kernel's limit for an ipset timeout, in seconds; longer bans get none (0). */
export const IPSET_MAX_TIMEOUT = 2_147_483;

/** iptables' multiport takes at most 15 ports, a range counting as two. */
const MULTIPORT_MAX = 15;

export interface IpsetNames {
  set4: string;
  set6: string;
}

/**
 * Set names are at most 31 characters. `bw-<jail>-4` when the jail's name is short and plain; else a
 * readable prefix and a hash of the full name, so two jails never share a set.
 */
export function ipsetNames(jail: string): IpsetNames {
  const plain = /^[A-Za-z0-9_.-]+$/.test(jail) && jail.length <= 26;
  const id = plain ? jail : `${jail.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 17)}.${createHash('sha256').update(jail).digest('hex').slice(0, 8)}`;
  return { set4: `bw-${id}-4`, set6: `bw-${id}-6` };
}

export interface IptablesRule {
  family: 4 | 6;
  /** The rule's arguments after `-I <chain>` / `-C <chain>` / `-D <chain>`. */
  args: string[];
}

/** The multiport lists of the jail's ports, or a reason they do not fit iptables. */
export function multiportList(spec: ResolvedSpec): string | null {
  if (spec.ports === null) return null;
  const weight = spec.ports.reduce((n, p) => n + (p.from === p.to ? 1 : 2), 0);
  if (weight > MULTIPORT_MAX) throw new Error(`iptables multiport takes at most ${MULTIPORT_MAX} ports (a range counts as 2); use ranges or type = allports`);
  return spec.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}:${p.to}`)).join(',');
}

export function iptablesRules(names: IpsetNames, spec: ResolvedSpec): IptablesRule[] {
  const ports = multiportList(spec);
  const matches: string[][] = spec.protocols === null
    ? [[]]
    : spec.protocols.map((p) => (ports === null ? ['-p', p] : ['-p', p, '-m', 'multiport', '--dports', ports]));
  const target = spec.blocktype === 'drop' ? 'DROP' : 'REJECT';
  const rules: IptablesRule[] = [];
  for (const family of [4, 6] as const) {
    const set = family === 4 ? names.set4 : names.set6;
    for (const m of matches) rules.push({ family, args: [...m, '-m', 'set', '--match-set', set, 'src', '-j', target] });
  }
  return rules;
}

/** Lines for `ipset -exist restore` that create the sets when missing (kept when present). */
export function createText(names: IpsetNames): string {
  return `create ${names.set4} hash:net family inet timeout 0 maxelem 1048576\n`
    + `create ${names.set6} hash:net family inet6 timeout 0 maxelem 1048576\n`;
}

/** One `ipset -exist restore` for a diff. Keys come from parsed addresses only (see elementKey). */
export function restoreText(names: IpsetNames, diff: ElementDiff, now: number): string {
  const set = (family: 4 | 6) => (family === 4 ? names.set4 : names.set6);
  const lines = diff.remove.map((r) => `del ${set(r.family)} ${r.key}`);
  for (const a of diff.add) lines.push(`add ${set(a.family)} ${a.key} timeout ${a.expires === null ? 0 : timeoutSeconds(a.expires, now)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The elements of `ipset save <set>` output (`add <set> 203.0.113.5 timeout 3590`). */
export function parseIpsetSave(text: string, family: 4 | 6, now: number, into: Applied = new Map()): Applied {
  for (const line of text.split('\n')) {
    const m = /^add \S+ (\S+)(?: timeout (\d+))?/.exec(line.trim());
    const net = m ? parseIp(m[1]!) : null;
    if (!m || !net || net.family !== family) continue;
    const timeout = m[2] === undefined ? 0 : Number(m[2]);
    into.set(elementKey(net), { family, expires: timeout === 0 ? null : now + timeout });
  }
  return into;
}
