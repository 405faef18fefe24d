/**
 * A jail's actions, run one batch at a time in order. Bans committed while a batch is running join the
 * next one, so a burst of offenders becomes a few firewall transactions instead of one per address; a
 * failing action is logged and the others still run.
 */
import type { BanAction, BanTicket, ReconcileDepth } from '../enforcer/ban-action.js';
import type { Logger } from '../log/logger.js';

/** How often one action ran one operation (ban, unban, restore, check, reconcile), and how often it failed. */
export interface ActionRunCount {
  action: string;
  operation: string;
  runs: number;
  failures: number;
}

export class ActionRunner {
  /** Keyed by action and operation: one entry each, updated once per batch. */
  private readonly counts = new Map<string, ActionRunCount>();
  private queue: Promise<void> = Promise.resolve();
  /** The ban batch queued and not yet started: new bans join it. */
  private waiting: BanTicket[] | null = null;

  constructor(
    private readonly actions: readonly BanAction[],
    private readonly log: Logger,
    private readonly onError: (action: string, operation: string, message: string) => void = () => undefined,
  ) {}

  /** Queues the bans' actions; they run after what is queued already, with any bans that follow before they start. */
  ban(tickets: readonly BanTicket[]): void {
    if (this.waiting) {
      this.waiting.push(...tickets);
      return;
    }
    const batch = [...tickets];
    this.waiting = batch;
    void this.then(() => {
      this.waiting = null;
      return this.each('ban', batch, (a) => a.ban(batch));
    });
  }

  /** Runs after the bans queued before it, so an address banned and lifted at once ends up lifted. */
  unban(tickets: readonly BanTicket[]): Promise<void> {
    return this.then(() => this.each('unban', tickets, (a) => a.unban(tickets)));
  }

  /** Re-applies bans after a start: one batch per action, repairing both ways where the action can. */
  restore(tickets: readonly BanTicket[]): Promise<void> {
    return this.then(() => this.each('restore', tickets, (a) => (a.reconcile ? a.reconcile(tickets) : tickets.length ? a.ban(tickets) : undefined)));
  }

  /**
   * Makes each action that can read its state back hold exactly the active bans; says when it had to
   * repair. An action `depth` does not ask to compare is trusted when its check() passes (no listing of
   * its elements).
   */
  reconcile(active: () => readonly BanTicket[], depth: ReconcileDepth): Promise<void> {
    return this.then(async () => {
      let tickets: readonly BanTicket[] | null = null;
      for (const action of this.actions) {
        if (!action.reconcile) continue;
        const compare = depth === 'compare-all' || (depth === 'compare-unwatched' && action.watching?.() !== true);
        if (!compare && (await this.guard(action, 'check', () => action.check())) === true) continue;
        tickets ??= active();
        const all = tickets;
        const result = await this.guard(action, 'reconcile', () => action.reconcile!(all));
        if (result && (result.added || result.removed)) {
          this.log.warn(`${action.name}: repaired the firewall (${result.added} ban(s) re-added, ${result.removed} stale removed)`);
        }
      }
    });
  }

  /** What the actions have run so far. */
  runCounts(): ActionRunCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** Resolves when every queued batch is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  async start(): Promise<void> {
    for (const a of this.actions) await a.start();
  }

  async stop(): Promise<void> {
    await this.idle();
    for (const a of this.actions) await a.stop();
  }

  private then(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch((error: unknown) => this.log.error(error instanceof Error ? error.message : String(error)));
    return next;
  }

  private async each(what: string, tickets: readonly BanTicket[], run: (action: BanAction) => Promise<unknown> | undefined): Promise<void> {
    const label = what === 'restore' ? what : `${what} ${tickets.length > 20 ? `${tickets.length} addresses` : tickets.map((t) => t.ip).join(' ')}`;
    for (const action of this.actions) await this.guard(action, label, async () => run(action));
  }

  private async guard<T>(action: BanAction, what: string, work: () => Promise<T>): Promise<T | undefined> {
    const operation = what.split(' ')[0] ?? what;
    const key = `${action.name}\0${operation}`;
    let count = this.counts.get(key);
    if (!count) this.counts.set(key, count = { action: action.name, operation, runs: 0, failures: 0 });
    count.runs++;
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`action ${action.name} failed to ${what}: ${message}`);
      count.failures++;
      this.onError(action.name, operation, message);
      return undefined;
    }
  }
}
