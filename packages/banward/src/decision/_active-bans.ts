import type { BanRecord } from './ban-store.js';

interface IndexedBan {
  ban: BanRecord;
  /** The row's id: the tie-break among bans of the same time, as the table orders them. */
  seq: number;
}

/**
 * The active bans in memory, per jail, kept in step with the table by the store that owns both. A burst
 * asks "is it banned already" per ban and `status` lists every ban: neither should cost a query and a
 * JSON parse per row. Lists are sorted once per change, oldest first.
 */
export class ActiveBanIndex {
  readonly #byJail = new Map<string, Map<string, IndexedBan>>();
  readonly #sorted = new Map<string, readonly BanRecord[]>();
  #all: readonly BanRecord[] | null = null;

  /** Holds `ban` (the store's own copy) as the jail's active ban of its ip, replacing any other. */
  set(ban: BanRecord, seq: number): void {
    let bans = this.#byJail.get(ban.jail);
    if (!bans) this.#byJail.set(ban.jail, (bans = new Map<string, IndexedBan>()));
    bans.set(ban.ip, { ban, seq });
    this.#changed(ban.jail);
  }

  delete(jail: string, ip: string): void {
    if (this.#byJail.get(jail)?.delete(ip)) this.#changed(jail);
  }

  get(jail: string, ip: string): BanRecord | undefined {
    return this.#byJail.get(jail)?.get(ip)?.ban;
  }

  /** One jail's active bans, or every jail's, oldest first (ties in the order they were recorded). */
  list(jail?: string): readonly BanRecord[] {
    if (jail !== undefined) {
      let sorted = this.#sorted.get(jail);
      if (!sorted) this.#sorted.set(jail, (sorted = byTime([...this.#byJail.get(jail)?.values() ?? []])));
      return sorted;
    }
    return (this.#all ??= byTime([...this.#byJail.values()].flatMap((bans) => [...bans.values()])));
  }

  clear(): void {
    this.#byJail.clear();
    this.#sorted.clear();
    this.#all = null;
  }

  #changed(jail: string): void {
    this.#sorted.delete(jail);
    this.#all = null;
  }
}

function byTime(bans: IndexedBan[]): readonly BanRecord[] {
  return bans.sort((a, b) => a.ban.time - b.ban.time || a.seq - b.seq).map((b) => b.ban);
}
