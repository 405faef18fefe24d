import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { Applied, ElementDiff } from './_elements.js';
import type { Hook, ResolvedSpec } from './_options.js';
import { failure, firewallRunner, type Runner } from './_run.js';
import { SetAction } from './_set-action.js';
import {
  IPSET_MAX_TIMEOUT, createText, iptablesRules, ipsetNames, parseIpsetSave, restoreText,
  type IpsetNames, type IptablesRule,
} from './ipset-text.js';

export interface IpsetActionOptions {
  jail: string;
  spec: ResolvedSpec;
  /**
   * Where the rules go: an iptables chain named in the config (fail2ban's `chain = INPUT`), or hooks;
   * null when another front end matches the sets (shorewall's blrules) and banward adds no rule.
   */
  chain: { name: string } | { hooks: readonly Hook[] } | null;
  /** The action's name in logs; default ipset. */
  name?: string;
  clock: Clock;
  log: Logger;
  run?: Runner;
}

/**
 * Bans with ipset for hosts on iptables: two `hash:net` sets per jail, matched by one iptables and one
 * ip6tables rule per protocol. Set changes are one `ipset -exist restore` per batch; a rule is inserted
 * only when `-C` does not find it. The forward hook is Docker's DOCKER-USER chain when it exists (Docker
 * jumps there before its own rules accept traffic to published ports, and keeps it across restarts),
 * else FORWARD.
 */
export class IpsetAction extends SetAction {
  readonly name: string;
  private readonly names: IpsetNames;
  private readonly rules: IptablesRule[];
  private readonly run: Runner;
  /** The chains the rules are in, by family, as last resolved. */
  private chains: Record<4 | 6, string[]> = { 4: [], 6: [] };

  constructor(private readonly options: IpsetActionOptions) {
    super({ jail: options.jail, clock: options.clock, log: options.log, ipv6prefix: options.spec.ipv6prefix, maxTimeout: IPSET_MAX_TIMEOUT });
    this.name = options.name ?? 'ipset';
    this.names = ipsetNames(options.jail);
    this.rules = options.chain === null ? [] : iptablesRules(this.names, options.spec);
    this.run = options.run ?? firewallRunner();
  }

  private async ipset(args: string[], input?: string): Promise<void> {
    const r = await this.run('ipset', args, input);
    if (!r.ok) throw failure(`ipset ${args.join(' ')}`, r);
  }

  private iptables(rule: IptablesRule, op: '-C' | '-I' | '-D', chain: string) {
    return this.run(rule.family === 4 ? 'iptables' : 'ip6tables', ['-w', op, chain, ...rule.args]);
  }

  /** The chains the rules belong in now, by family (DOCKER-USER may have appeared since). */
  private async resolveChains(): Promise<Record<4 | 6, string[]>> {
    const { chain } = this.options;
    if (chain === null) return { 4: [], 6: [] };
    if ('name' in chain) return { 4: [chain.name], 6: [chain.name] };
    const out: Record<4 | 6, string[]> = { 4: [], 6: [] };
    for (const family of [4, 6] as const) {
      for (const hook of chain.hooks) {
        const docker = hook === 'forward' && (await this.run(family === 4 ? 'iptables' : 'ip6tables', ['-w', '-S', 'DOCKER-USER'])).ok;
        out[family].push(hook === 'input' ? 'INPUT' : docker ? 'DOCKER-USER' : 'FORWARD');
      }
    }
    return out;
  }

  /** Inserts the rules that are missing; returns how many were. */
  private async ensureRules(): Promise<number> {
    let missing = 0;
    for (const rule of this.rules) {
      for (const chain of this.chains[rule.family]) {
        if ((await this.iptables(rule, '-C', chain)).ok) continue;
        missing++;
        const r = await this.iptables(rule, '-I', chain);
        if (!r.ok) throw failure(`${rule.family === 4 ? 'iptables' : 'ip6tables'} -I ${chain} ${rule.args.join(' ')}`, r);
      }
    }
    return missing;
  }

  /** Deletes the jail's rules from these chains, every copy. */
  private async deleteRules(chains: Record<4 | 6, readonly string[]>): Promise<void> {
    for (const rule of this.rules) {
      for (const chain of chains[rule.family]) {
        while ((await this.iptables(rule, '-C', chain)).ok) {
          const r = await this.iptables(rule, '-D', chain);
          if (!r.ok) throw failure(`${rule.family === 4 ? 'iptables' : 'ip6tables'} -D ${chain}`, r);
        }
      }
    }
  }

  protected async read(): Promise<Applied> {
    const chains = await this.resolveChains();
    // Docker started since: the rules move from FORWARD to DOCKER-USER, where Docker cannot bypass them.
    const moved = { 4: this.chains[4].filter((c) => !chains[4].includes(c)), 6: this.chains[6].filter((c) => !chains[6].includes(c)) };
    this.chains = chains;
    await this.deleteRules(moved);
    await this.ipset(['-exist', 'restore'], createText(this.names));
    const missing = await this.ensureRules();
    if (missing && this.applied !== null) this.options.log.warn(`${this.name}: ${missing} iptables rule(s) were missing: restored`);
    const now = this.options.clock();
    const applied: Applied = new Map();
    for (const [family, set] of [[4, this.names.set4], [6, this.names.set6]] as const) {
      const r = await this.run('ipset', ['save', set]);
      if (!r.ok) throw failure(`ipset save ${set}`, r);
      parseIpsetSave(r.stdout, family, now, applied);
    }
    return applied;
  }

  protected async write(diff: ElementDiff, now: number): Promise<void> {
    await this.ipset(['-exist', 'restore'], restoreText(this.names, diff, now));
  }

  protected async empty(): Promise<void> {
    await this.ipset(['-exist', 'restore'], `${createText(this.names)}flush ${this.names.set4}\nflush ${this.names.set6}\n`);
  }

  protected async remove(): Promise<void> {
    // Where the rules are, and where they belong now (DOCKER-USER may have appeared since they went in).
    const now = await this.resolveChains();
    await this.deleteRules({ 4: [...new Set([...this.chains[4], ...now[4]])], 6: [...new Set([...this.chains[6], ...now[6]])] });
    for (const set of [this.names.set4, this.names.set6]) {
      const r = await this.run('ipset', ['destroy', set]);
      if (!r.ok && !/does not exist/i.test(r.stderr)) throw failure(`ipset destroy ${set}`, r);
    }
  }

  async check(): Promise<boolean> {
    for (const set of [this.names.set4, this.names.set6]) if (!(await this.run('ipset', ['list', '-n', set])).ok) return false;
    const chains = await this.resolveChains();
    for (const rule of this.rules) {
      for (const chain of chains[rule.family]) {
        if (!this.chains[rule.family].includes(chain) || !(await this.iptables(rule, '-C', chain)).ok) return false;
      }
    }
    return true;
  }
}
