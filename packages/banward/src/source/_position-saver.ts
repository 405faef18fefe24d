import type { LogPosition } from '../decision/ban-store.js';
import type { PositionStore } from './log-source.js';

/**
 * Saves positions at most once per interval per key: a busy log must not turn into a database write
 * per line. The latest position is always the one written, and flush() writes what is pending.
 */
export class PositionSaver {
  private readonly lastSaved = new Map<string, number>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; get: () => LogPosition | undefined }>();

  constructor(private readonly store: PositionStore, private readonly interval: number) {}

  /** Notes that the position under key moved; `get` reads the position when the save happens. */
  mark(key: string, get: () => LogPosition | undefined): void {
    const pending = this.pending.get(key);
    if (pending) {
      pending.get = get;
      return;
    }
    const wait = (this.lastSaved.get(key) ?? -Infinity) + this.interval - performance.now();
    if (wait <= 0) {
      this.save(key, get);
      return;
    }
    const timer = setTimeout(() => {
      const entry = this.pending.get(key);
      this.pending.delete(key);
      if (entry) this.save(key, entry.get);
    }, wait);
    timer.unref();
    this.pending.set(key, { timer, get });
  }

  /** Writes every pending position now (on stop). */
  flush(): void {
    for (const [key, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.save(key, entry.get);
    }
    this.pending.clear();
  }

  private save(key: string, get: () => LogPosition | undefined): void {
    const position = get();
    if (!position) return;
    this.store.setPosition(key, position);
    this.lastSaved.set(key, performance.now());
  }
}
