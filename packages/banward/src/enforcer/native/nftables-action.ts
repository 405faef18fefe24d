import type { Clock } from '../../clock.js';
import { parseIp } from '../../net/ip-address.js';
import type { Logger } from '../../log/logger.js';
import type { Applied, AppliedElement, ElementDiff } from './_elements.js';
import type { Hook, ResolvedSpec } from './_options.js';
import type { FirewallWatch } from './_nft-monitor.js';
import { failure, firewallRunner, type Runner } from './_run.js';
import { SetAction } from './_set-action.js';
import {
  NFT_MAX_TIMEOUT, TABLE, elementsText, flushText, nftNames, parseNftDeletion, parseNftState, ruleLines, setupText, teardownText,
  type NftNames, type NftState,
} from './nftables-text.js';

export interface NftablesActionOptions {
  jail: string;
  spec: ResolvedSpec;
  /** The hooks the jail's chains sit in (`chain = input|forward|both`). */
  hooks: readonly Hook[];
  clock: Clock;
  log: Logger;
  run?: Runner;
  /** Deletions in the ruleset as they happen; without it every check lists the table. */
  watch?: FirewallWatch;
}

/**
 * Bans in nftables: the jail's sets `<jail>-v4`/`<jail>-v6` in table `inet banward`, matched by the
 * jail's own input chain `<jail>-in` and/or forward chain `<jail>-fwd`. Every change is one `nft -f -`
 * transaction.
 */
const REFILL_AT = 256;
/** Our own deletions whose monitor lines are still to come; past this many, the sets are read again instead. */
const MAX_EXPECTED = 200_000;

export class NftablesAction extends SetAction {
  readonly name = 'nftables';
  private readonly names: NftNames;
  private readonly run: Runner;
  private unsubscribe: (() => void) | null = null;
  /** When the last complete read of the table began (`performance.now()`); null before the first. */
  private readAt: number | null = null;
  /** The monitor saw an element we hold deleted by someone else since that read. */
  private drifted = false;
  /**
   * The monitor saw a chain, rule or set of ours deleted: perhaps by someone else, perhaps by our own
   * setup (it rewrites the rules), so the next check lists the table to know.
   */
  private restructured = false;
  /** Elements we deleted, by key, whose deletion the monitor has yet to report. */
  private readonly expected = new Map<string, number>();

  constructor(private readonly options: NftablesActionOptions) {
    super({ jail: options.jail, clock: options.clock, log: options.log, ipv6prefix: options.spec.ipv6prefix, maxTimeout: NFT_MAX_TIMEOUT });
    this.names = nftNames(options.jail);
    this.run = options.run ?? firewallRunner();
  }

  override async start(): Promise<void> {
    this.unsubscribe ??= this.options.watch?.subscribe((line) => this.seen(line)) ?? null;
    await super.start();
  }

  override async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await super.stop();
  }

  /** True while every deletion since the last complete read has been seen: the sets are as we believe. */
  watching(): boolean {
    return !this.drifted && this.readAt !== null && this.options.watch?.trustedSince(this.readAt) === true;
  }

  /** A line of the monitor: a deletion of our table, chains, rules or sets, or of an element we hold and did not delete. */
  private seen(line: string): void {
    const deletion = parseNftDeletion(line, this.names);
    if (!deletion) return;
    if (deletion.kind === 'structure') {
      this.restructured = true;
      return;
    }
    for (const key of deletion.keys) {
      const pending = this.expected.get(key);
      if (pending === undefined) {
        if (this.applied?.has(key)) this.drifted = true;
      } else if (pending <= 1) {
        this.expected.delete(key);
      } else {
        this.expected.set(key, pending - 1);
      }
    }
  }

  private expect(keys: Iterable<string>): void {
    if (!this.unsubscribe) return;
    for (const key of keys) this.expected.set(key, (this.expected.get(key) ?? 0) + 1);
    if (this.expected.size > MAX_EXPECTED) {
      this.expected.clear();
      this.drifted = true;
    }
  }

  private async nft(text: string, what: string): Promise<void> {
    const r = await this.run('nft', ['-f', '-'], text);
    if (!r.ok) throw failure(`nft (${what})`, r);
  }

  /** The jail's part of the table, or null when the table does not exist; `terse` leaves the elements out. */
  private async list(terse = false): Promise<NftState | null> {
    const r = await this.run('nft', [...(terse ? ['-t'] : []), '-j', 'list', 'table', ...TABLE.split(' ')]);
    if (!r.ok) {
      if (/No such file or directory|does not exist/i.test(r.stderr)) return null;
      throw failure('nft list', r);
    }
    return parseNftState(r.stdout, this.names, this.options.clock());
  }

  private complete(state: NftState | null): state is NftState {
    const { hooks } = this.options;
    return state !== null && state.set4 && state.set6 && state.chains.length === hooks.length && hooks.every((h) => state.chains.includes(h))
      && state.rules === ruleLines(this.names, this.options.spec, hooks).length;
  }

  protected async read(): Promise<Applied> {
    const at = performance.now();
    this.drifted = false;
    this.expected.clear();
    let state = await this.list();
    if (!this.complete(state)) {
      if (this.applied !== null || state !== null) this.options.log.warn('nftables: the table, sets or rules were changed outside banward: restoring them');
      await this.nft(setupText(this.names, this.options.spec, this.options.hooks), 'setup');
      state = await this.list();
      if (!this.complete(state)) throw new Error('nftables: the table is still incomplete after setting it up');
    }
    this.readAt = at;
    return state.elements;
  }

  protected async write(diff: ElementDiff, now: number): Promise<void> {
    const applied: Applied = this.applied ?? new Map<string, AppliedElement>();
    // nft deletes interval-set elements one by one (minutes for 20k): past a size, refill the sets instead.
    if (diff.remove.length >= REFILL_AT && diff.remove.length * 4 >= applied.size) {
      const gone = new Set([...diff.remove.map((r) => r.key), ...diff.forget]);
      const keep = [...applied].filter(([key]) => !gone.has(key)).map(([key, held]) => ({ key, ...held, net: parseIp(key)! }));
      const refill = { remove: [], add: [...keep, ...diff.add], forget: [] };
      this.expect(applied.keys());
      await this.nft(flushText(this.names) + elementsText(this.names, refill, now), `refill with ${refill.add.length}`);
      return;
    }
    this.expect(diff.remove.map((r) => r.key));
    await this.nft(elementsText(this.names, diff, now), `${diff.add.length} to add, ${diff.remove.length} to remove`);
  }

  protected async empty(): Promise<void> {
    // Set up first: flushing sets an admin already removed must still leave the jail working.
    await this.nft(setupText(this.names, this.options.spec, this.options.hooks) + flushText(this.names), 'flush');
  }

  /** Removes the jail's chain and sets, and the table when no other jail uses it. */
  protected async remove(): Promise<void> {
    await this.nft(teardownText(this.names), 'stop');
    const state = await this.list();
    if (state && state.others === 0) await this.nft(`delete table ${TABLE}\n`, 'remove the table');
  }

  /**
   * Whether the table, sets, chain and rules are there; cheap whatever the number of bans (no elements
   * listed), and free while the monitor vouches for them.
   */
  async check(): Promise<boolean> {
    if (this.drifted) return false;
    if (this.watching() && !this.restructured) return true;
    this.restructured = false;
    try {
      return this.complete(await this.list(true));
    } catch {
      return false;
    }
  }
}
