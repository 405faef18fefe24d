import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { DaemonControl } from '../control/index.js';
import type { Logger } from '../log/logger.js';
import type { FleetKeys } from './_redis-client.js';

interface Found {
  jail: string;
  ip: string;
  time: number;
}

/**
 * `fleet.count = shared`: each failure also goes into the fleet's window for the jail and address (a
 * sorted set of failure times, trimmed to findtime, expiring after it), one pipeline per batch of
 * failures; when the fleet's count reaches maxretry this node bans, and the ban goes to the fleet as any
 * other. While Redis is away failures are counted here alone (the jail does that anyway).
 */
export class SharedCounter {
  private pending: Found[] = [];
  private seq = 0;

  constructor(private readonly redis: Redis, private readonly control: DaemonControl, private readonly keys: FleetKeys,
    private readonly node: string, private readonly clock: Clock, private readonly log: Logger) {}

  add(found: Found): void {
    if (this.pending.length === 0) setImmediate(() => void this.flush());
    this.pending.push(found);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (this.redis.status !== 'ready') return;
    try {
      const now = this.clock();
      const pipeline = this.redis.pipeline();
      const windows = batch.map((f) => {
        const findtime = this.control.option(f.jail, 'findtime');
        const key = this.keys.fail(f.jail, f.ip);
        pipeline.zadd(key, Math.round(f.time * 1000), `${this.node}:${f.time}:${++this.seq}`);
        pipeline.zremrangebyscore(key, '-inf', `(${Math.round((now - findtime) * 1000)}`);
        pipeline.zcard(key);
        pipeline.pexpire(key, Math.ceil(findtime * 1000));
        return { ...f, key };
      });
      const replies = (await pipeline.exec()) ?? [];
      const reached = new Map<string, (typeof windows)[number] & { count: number }>();
      windows.forEach((w, i) => {
        const count = Number(replies[i * 4 + 2]?.[1] ?? 0);
        if (count >= this.control.option(w.jail, 'maxretry')) reached.set(w.key, { ...w, count });
      });
      for (const w of reached.values()) await this.ban(w);
    } catch (error) {
      this.log.info(`fleet: shared counting skipped for ${batch.length} failure(s): ${(error as Error).message}`);
    }
  }

  private async ban(w: Found & { key: string; count: number }): Promise<void> {
    if (this.control.activeBans({ jail: w.jail, covering: [w.ip] }).length === 0) {
      await this.control.ban(w.jail, [w.ip], `fleet count: ${w.count} failures across the fleet`);
    }
    // As a jail forgets an address's failures when it bans it.
    await this.redis.del(w.key);
  }
}
