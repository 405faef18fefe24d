/**
 * `banward migrate --compare`: after running both daemons side by side (banward with `--dry-run`), which
 * bans one made and the other did not. Both logs say `[jail] Ban <address>` (fail2ban's
 * `fail2ban.actions … NOTICE  [sshd] Ban 192.0.2.1`, banward's `NOTICE [sshd] Ban 192.0.2.1`).
 */
import { canonical, parseIp } from '../net/ip-address.js';

const BAN_LINE = /\[([^\]\s]+)\]\s+Ban\s+(\S+)\s*$/;

export interface BanComparison {
  /** jail → addresses, sorted. */
  onlyFail2ban: Record<string, string[]>;
  onlyBanward: Record<string, string[]>;
  /** Bans both made, per jail. */
  both: Record<string, number>;
}

/** The (jail, address) pairs a log's `Ban` lines name; lines that only look like one (no address) are not. */
export function bansInLog(text: string): Map<string, Set<string>> {
  const bans = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = BAN_LINE.exec(line);
    if (!m || parseIp(m[2]!.split('/')[0]!) === null) continue;
    const jail = m[1]!;
    if (!bans.has(jail)) bans.set(jail, new Set());
    bans.get(jail)!.add(canonical(m[2]!));
  }
  return bans;
}

export function compareBanLogs(fail2banLog: string, banwardLog: string): BanComparison {
  const theirs = bansInLog(fail2banLog);
  const ours = bansInLog(banwardLog);
  const result: BanComparison = { onlyFail2ban: {}, onlyBanward: {}, both: {} };
  const jails = [...new Set([...theirs.keys(), ...ours.keys()])].sort();
  for (const jail of jails) {
    const a = theirs.get(jail) ?? new Set<string>();
    const b = ours.get(jail) ?? new Set<string>();
    const onlyA = [...a].filter((ip) => !b.has(ip)).sort();
    const onlyB = [...b].filter((ip) => !a.has(ip)).sort();
    if (onlyA.length) result.onlyFail2ban[jail] = onlyA;
    if (onlyB.length) result.onlyBanward[jail] = onlyB;
    result.both[jail] = [...a].filter((ip) => b.has(ip)).length;
  }
  return result;
}
