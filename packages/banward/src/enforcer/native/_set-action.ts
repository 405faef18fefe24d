import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import type { BanAction, BanTicket } from '../ban-action.js';
import { applyDiff, desiredElements, diffElements, type Applied, type ElementDiff } from './_elements.js';
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
    await this.sync();
  }

  async unban(tickets: readonly BanTicket[]): Promise<void> {
    for (const t of tickets) this.bans.delete(t.ip);
    await this.sync();
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
