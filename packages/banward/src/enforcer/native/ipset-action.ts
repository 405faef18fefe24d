import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { Applied, ElementDiff } from './_elements.js';
import type { ResolvedSpec } from './_options.js';
import { failure, firewallRunner, type Runner } from './_run.js';
import { SetAction } from './_set-action.js';
import {
  IPSET_MAX_TIMEOUT, createText, iptablesRules, ipsetNames, parseIpsetSave, restoreText,
  type IpsetNames, type IptablesRule,
} from './ipset-text.js';

export interface IpsetActionOptions {
  jail: string;
  spec: ResolvedSpec;
  /** The iptables chain the rules go in (fail2ban's `chain`, default INPUT). */
  chain: string;
  clock: Clock;
  log: Logger;
  run?: Runner;
}

/**
 * Bans with ipset for hosts on iptables: two `hash:net` sets per jail, matched by one iptables and one
 * ip6tables rule per protocol. Set changes are one `ipset -exist restore` per batch; a rule is inserted
 * only when `-C` does not find it.
 */
export class IpsetAction extends SetAction {
  readonly name = 'ipset';
  private readonly names: IpsetNames;
  private readonly rules: IptablesRule[];
  private readonly run: Runner;

  constructor(private readonly options: IpsetActionOptions) {
    super({ jail: options.jail, clock: options.clock, log: options.log, ipv6prefix: options.spec.ipv6prefix, maxTimeout: IPSET_MAX_TIMEOUT });
    this.names = ipsetNames(options.jail);
    this.rules = iptablesRules(this.names, options.spec);
    this.run = options.run ?? firewallRunner();
  }

  private async ipset(args: string[], input?: string): Promise<void> {
    const r = await this.run('ipset', args, input);
    if (!r.ok) throw failure(`ipset ${args.join(' ')}`, r);
  }

  private iptables(rule: IptablesRule, op: '-C' | '-I' | '-D') {
    return this.run(rule.family === 4 ? 'iptables' : 'ip6tables', ['-w', op, this.options.chain, ...rule.args]);
  }

  /** Inserts the rules that are missing; returns how many were. */
  private async ensureRules(): Promise<number> {
    let missing = 0;
    for (const rule of this.rules) {
      if ((await this.iptables(rule, '-C')).ok) continue;
      missing++;
      const r = await this.iptables(rule, '-I');
      if (!r.ok) throw failure(`${rule.family === 4 ? 'iptables' : 'ip6tables'} -I ${this.options.chain} ${rule.args.join(' ')}`, r);
    }
    return missing;
  }

  protected async read(): Promise<Applied> {
    await this.ipset(['-exist', 'restore'], createText(this.names));
    const missing = await this.ensureRules();
    if (missing && this.applied !== null) this.options.log.warn(`ipset: ${missing} iptables rule(s) were missing: restored`);
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
    for (const rule of this.rules) {
      while ((await this.iptables(rule, '-C')).ok) {
        const r = await this.iptables(rule, '-D');
        if (!r.ok) throw failure(`${rule.family === 4 ? 'iptables' : 'ip6tables'} -D ${this.options.chain}`, r);
      }
    }
    for (const set of [this.names.set4, this.names.set6]) {
      const r = await this.run('ipset', ['destroy', set]);
      if (!r.ok && !/does not exist/i.test(r.stderr)) throw failure(`ipset destroy ${set}`, r);
    }
  }

  async check(): Promise<boolean> {
    for (const set of [this.names.set4, this.names.set6]) if (!(await this.run('ipset', ['list', '-n', set])).ok) return false;
    for (const rule of this.rules) if (!(await this.iptables(rule, '-C')).ok) return false;
    return true;
  }
}
