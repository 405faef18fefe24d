import type { Clock } from '../clock.js';
import type { FailGroups } from './failregex.js';

/** Pending multi-line failures by connection id: bounded in count (oldest first out) and age. */
export class FailureIdCache {
  private readonly entries = new Map<string, { fail: FailGroups; expires: number }>();

  constructor(private readonly maxCount: number, private readonly maxAge: number, private readonly now: Clock) {}

  get(id: string): FailGroups | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expires > this.now()) return entry.fail;
    this.entries.delete(id);
    return undefined;
  }

  set(id: string, fail: FailGroups): void {
    const now = this.now();
    if (this.entries.size >= this.maxCount) {
      for (const [key, entry] of this.entries) {
        this.entries.delete(key);
        if (entry.expires > now && this.entries.size < this.maxCount) break;
      }
    }
    this.entries.delete(id);
    this.entries.set(id, { fail, expires: now + this.maxAge });
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
