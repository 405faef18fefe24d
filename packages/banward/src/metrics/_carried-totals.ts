/** A jail's counters by series key (e.g. `lines_read`, `action\0nft\0ban\0runs`). */
export type CounterValues = Map<string, number>;

interface Seen {
  last: CounterValues;
  carried: CounterValues;
}

/**
 * Keeps a jail's pipeline counters growing across reloads: a rebuilt jail counts from 0 again, seen
 * as a value that went down; what the old jail had counted at the last reading is carried over. (What it
 * counted between that reading and its stop is lost, as with any counter reset Prometheus sees.)
 */
export class CarriedTotals {
  private readonly jails = new Map<string, Seen>();

  totals(jail: string, now: CounterValues): CounterValues {
    const seen = this.jails.get(jail) ?? { last: new Map<string, number>(), carried: new Map<string, number>() };
    this.jails.set(jail, seen);
    const reset = [...seen.last].some(([key, value]) => (now.get(key) ?? 0) < value);
    if (reset) for (const [key, value] of seen.last) seen.carried.set(key, (seen.carried.get(key) ?? 0) + value);
    seen.last = now;
    const totals = new Map(now);
    for (const [key, value] of seen.carried) totals.set(key, value + (now.get(key) ?? 0));
    return totals;
  }
}
