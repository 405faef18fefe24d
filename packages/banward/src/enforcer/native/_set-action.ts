import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { BanAction, BanTicket } from '../ban-action.js';
import { applyDiff, desiredElements, diffElements, elementOf, type Applied, type ElementDiff, type SetElement } from './_elements.js';
import { ToolFailure } from './_run.js';

export interface Reconciled {
  added: number;
  removed: number;
}

export interface SetActionOptions {
  jail: string;
  clock: Clock;
  log: Logger;
  ipv6prefix: number | null;
  /** The longest timeout the firewall takes, in seconds. */
  maxTimeout: number;
}

/**
 * The base options of an action whose firewall keeps no timeouts (routes, files, firewalld's runtime
 * entries): every element is held until the daemon lifts the ban.
 */
export function untimed(options: Omit<SetActionOptions, 'maxTimeout'>): SetActionOptions {
  return { jail: options.jail, clock: options.clock, log: options.log, ipv6prefix: options.ipv6prefix, maxTimeout: 0 };
}

/**
 * What the firewall actions share: they keep the bans they were given and what they believe the sets
 * hold, and every change is the difference between the two, written in one batch. When the firewall
 * refuses it (someone changed it under us), the sets are read back, rebuilt if gone, and the change
 * retried once; a call that timed out is not retried.
 */
export abstract class SetAction implements BanAction {
  abstract readonly name: string;
  private readonly bans = new Map<string, BanTicket>();
  /** What the sets hold, as far as we know; null when it must be read from the firewall first. */
  protected applied: Applied | null = null;

  constructor(protected readonly base: SetActionOptions) {}

  /** The sets' elements, after creating whatever is missing (table, sets, chain, rules). */
  protected abstract read(): Promise<Applied>;
  /** Writes a diff in one batch; throws when the firewall refuses it. */
  protected abstract write(diff: ElementDiff, now: number): Promise<void>;
  protected abstract empty(): Promise<void>;
  protected abstract remove(): Promise<void>;
  abstract check(): Promise<boolean>;

  private async sync(): Promise<Reconciled> {
    for (let attempt = 0; ; attempt++) {
      this.applied ??= await this.read();
      const now = this.base.clock();
      const desired = desiredElements(this.bans.values(), now, this.base);
      const diff = diffElements(desired, this.applied, now);
      try {
        if (diff.add.length || diff.remove.length) await this.write(diff, now);
        applyDiff(this.applied, diff);
        return { added: diff.add.length, removed: diff.remove.length };
      } catch (error) {
        this.applied = null;
        // A tool that hung once would hang the retry too: the jail waits one timeout, not two.
        if (attempt > 0 || (error instanceof ToolFailure && error.timedOut)) throw error;
        this.base.log.warn(`${this.name}: ${error instanceof Error ? error.message : String(error)}; reading the sets again`);
      }
    }
  }

  async start(): Promise<void> {
    this.applied = null;
    this.applied = await this.read();
  }

  async stop(): Promise<void> {
    this.bans.clear();
    this.applied = null;
    await this.remove();
  }

  async ban(tickets: readonly BanTicket[]): Promise<void> {
    for (const t of tickets) this.bans.set(t.ip, t);
    const hosts = this.applied && !this.holdsNetworks() ? this.hostElements(tickets) : null;
    if (!hosts) {
      await this.sync();
      return;
    }
    // Single addresses among single addresses cannot fold into each other: only these elements change.
    const now = this.base.clock();
    const desired = new Map(hosts.map((e) => [e.key, e]));
    const touched: Applied = new Map([...desired.keys()].flatMap((k) => {
      const held = this.applied!.get(k);
      return held ? [[k, held] as const] : [];
    }));
    await this.writeOrSync(diffElements(desired, touched, now));
  }

  async unban(tickets: readonly BanTicket[]): Promise<void> {
    for (const t of tickets) this.bans.delete(t.ip);
    const hosts = this.applied && !this.holdsNetworks() ? this.hostElements(tickets, true) : null;
    if (!hosts) {
      await this.sync();
      return;
    }
    const now = this.base.clock();
    const touched: Applied = new Map(hosts.flatMap((e) => {
      const held = this.applied!.get(e.key);
      return held ? [[e.key, held] as const] : [];
    }));
    await this.writeOrSync(diffElements(new Map(), touched, now));
  }

  /** Writes a diff of a few elements; when the firewall refuses it, the full comparison repairs and retries. */
  private async writeOrSync(diff: ElementDiff): Promise<void> {
    if (!diff.add.length && !diff.remove.length) {
      applyDiff(this.applied!, diff);
      return;
    }
    try {
      await this.write(diff, this.base.clock());
      applyDiff(this.applied!, diff);
    } catch (error) {
      this.applied = null;
      if (error instanceof ToolFailure && error.timedOut) throw error;
      await this.sync();
    }
  }

  /** Whether any ban is enforced by a network element (a ban of a network, or IPv6 by ipv6prefix). */
  private holdsNetworks(): boolean {
    for (const key of this.applied!.keys()) if (key.includes('/')) return true;
    return false;
  }

  /**
   * The tickets' elements when each is one address; null when one is a network (then everything is
   * compared). Bans whose time is up have none, except for an unban (`all`): it must find every key.
   */
  private hostElements(tickets: readonly BanTicket[], all = false): SetElement[] | null {
    const out: SetElement[] = [];
    const now = this.base.clock();
    for (const t of tickets) {
      const e = elementOf(all ? { ...t, bantime: -1 } : t, now, this.base);
      if (!e) continue;
      if (e.net.prefix < (e.family === 4 ? 32 : 128)) return null;
      out.push(e);
    }
    return out;
  }

  async flush(): Promise<void> {
    this.bans.clear();
    this.applied = null;
    await this.empty();
    this.applied = new Map();
  }

  /**
   * Makes the sets hold exactly the store's active bans of this jail: missing ones are added (after an
   * `nft flush ruleset` or a firewall reload), stale ones removed. It reads the firewall, so it sees
   * changes made outside banward.
   */
  async reconcile(active: readonly BanTicket[]): Promise<Reconciled> {
    this.bans.clear();
    for (const t of active) if (t.jail === this.base.jail) this.bans.set(t.ip, t);
    this.applied = null;
    const result = await this.sync();
    if (result.added || result.removed) this.base.log.notice(`${this.name}: reconciled: ${result.added} added, ${result.removed} removed`);
    return result;
  }
}
