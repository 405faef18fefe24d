import type { LogPosition } from './log-position.js';
import type { PositionStore } from './log-source.js';

/**
 * Saves positions at most once per interval per key: a busy log must not turn into a database write
 * per line. The latest position is always the one written, and flush() writes what is pending.
 *
 * A position is written only once the consumer has counted the lines before it (`settled`): a kill
 * between reading a line and counting it must make the next start read it again, not skip it.
 */
export class PositionSaver {
  private readonly lastSaved = new Map<string, number>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; get: () => LogPosition | undefined }>();
  /** Per key, the number of the latest save taken: a save that settles after a later one is dropped. */
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly store: PositionStore,
    private readonly interval: number,
    private readonly settled: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Notes that the position under key moved; `get` reads the position when the save happens. */
  mark(key: string, get: () => LogPosition | undefined): void {
    const pending = this.pending.get(key);
    if (pending) {
      pending.get = get;
      return;
    }
    const wait = (this.lastSaved.get(key) ?? -Infinity) + this.interval - performance.now();
    if (wait <= 0) {
      void this.save(key, get);
      return;
    }
    const timer = setTimeout(() => {
      const entry = this.pending.get(key);
      this.pending.delete(key);
      if (entry) void this.save(key, entry.get);
    }, wait);
    timer.unref();
    this.pending.set(key, { timer, get });
  }

  /** Takes every pending position now (on stop); resolves when they are written. */
  flush(): Promise<void> {
    const writes: Array<Promise<void>> = [];
    for (const [key, entry] of this.pending) {
      clearTimeout(entry.timer);
      writes.push(this.save(key, entry.get));
    }
    this.pending.clear();
    return Promise.all(writes).then(() => undefined);
  }

  private save(key: string, get: () => LogPosition | undefined): Promise<void> {
    const position = get();
    if (!position) return Promise.resolve();
    const number = (this.taken.get(key) ?? 0) + 1;
    this.taken.set(key, number);
    this.lastSaved.set(key, performance.now());
    return this.settled().then(() => {
      if (this.taken.get(key) === number) this.store.setPosition(key, position);
    });
  }
}
