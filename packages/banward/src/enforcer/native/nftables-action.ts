import type { Clock } from '../../clock.js';
import { parseIp } from '../../net/ip-address.js';
import type { Logger } from '../../log/logger.js';
import type { Applied, AppliedElement, ElementDiff } from './_elements.js';
import type { Hook, ResolvedSpec } from './_options.js';
import { failure, firewallRunner, type Runner } from './_run.js';
import { SetAction } from './_set-action.js';
import {
  NFT_MAX_TIMEOUT, TABLE, elementsText, flushText, nftNames, parseNftState, ruleLines, setupText, teardownText,
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
}

/**
 * Bans in nftables: the jail's sets `<jail>-v4`/`<jail>-v6` in table `inet banward`, matched by the
 * jail's own input chain `<jail>-in` and/or forward chain `<jail>-fwd`. Every change is one `nft -f -`
 * transaction.
 */
const REFILL_AT = 256;

export class NftablesAction extends SetAction {
  readonly name = 'nftables';
  private readonly names: NftNames;
  private readonly run: Runner;

  constructor(private readonly options: NftablesActionOptions) {
    super({ jail: options.jail, clock: options.clock, log: options.log, ipv6prefix: options.spec.ipv6prefix, maxTimeout: NFT_MAX_TIMEOUT });
    this.names = nftNames(options.jail);
    this.run = options.run ?? firewallRunner();
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
    let state = await this.list();
    if (!this.complete(state)) {
      if (this.applied !== null || state !== null) this.options.log.warn('nftables: the table, sets or rules were changed outside banward: restoring them');
      await this.nft(setupText(this.names, this.options.spec, this.options.hooks), 'setup');
      state = await this.list();
      if (!this.complete(state)) throw new Error('nftables: the table is still incomplete after setting it up');
    }
    return state.elements;
  }

  protected async write(diff: ElementDiff, now: number): Promise<void> {
    const applied: Applied = this.applied ?? new Map<string, AppliedElement>();
    // nft deletes interval-set elements one by one (minutes for 20k): past a size, refill the sets instead.
    if (diff.remove.length >= REFILL_AT && diff.remove.length * 4 >= applied.size) {
      const gone = new Set([...diff.remove.map((r) => r.key), ...diff.forget]);
      const keep = [...applied].filter(([key]) => !gone.has(key)).map(([key, held]) => ({ key, ...held, net: parseIp(key)! }));
      const refill = { remove: [], add: [...keep, ...diff.add], forget: [] };
      await this.nft(flushText(this.names) + elementsText(this.names, refill, now), `refill with ${refill.add.length}`);
      return;
    }
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

  /** Whether the table, sets, chain and rules are there; cheap whatever the number of bans (no elements listed). */
  async check(): Promise<boolean> {
    try {
      return this.complete(await this.list(true));
    } catch {
      return false;
    }
  }
}
