import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { FleetJournal } from './fleet-journal.js';
import type { FleetMessage } from './fleet-message.js';
import type { FleetKeys } from './_redis-client.js';

/** The stream keeps about this many decisions (XADD MAXLEN ~); older ones are trimmed, the active set keeps what still counts. */
export const STREAM_MAXLEN = 100_000;
/** Outbox messages sent in one MULTI. */
const BATCH = 500;

/** `jail|ip`: a ban's member in the active set and its field in the active messages. */
export function activeMember(m: Pick<FleetMessage, 'jail' | 'ip'>): string {
  return `${m.jail}|${m.ip}`;
}

/** The indexes of bans not worth publishing any more: ended, or lifted by an unban later in the same batch. */
export function staleBans(messages: readonly FleetMessage[], now: number): Set<number> {
  const lastUnban = new Map<string, number>();
  messages.forEach((m, i) => { if (m.type === 'unban') lastUnban.set(activeMember(m), i); });
  const skip = new Set<number>();
  messages.forEach((m, i) => {
    if (m.type !== 'ban') return;
    if ((m.end !== null && m.end <= now) || (lastUnban.get(activeMember(m)) ?? -1) > i) skip.add(i);
  });
  return skip;
}

/**
 * Sends the outbox to Redis in order: each message's XADD and its active-set change in one MULTI, the
 * outbox rows forgotten only once Redis has answered. A batch cut off mid-way is sent again: receivers
 * apply a message id once, and a ban repeated before its own unban changes nothing.
 */
export class Publisher {
  published = 0;
  private running = false;

  constructor(private readonly redis: Redis, private readonly journal: FleetJournal, private readonly keys: FleetKeys,
    private readonly clock: Clock, private readonly log: Logger) {}

  /** Publishes until the outbox is empty or Redis fails; a call while one runs is a no-op (the running one reads on). */
  async flush(): Promise<void> {
    if (this.running || this.redis.status !== 'ready') return;
    this.running = true;
    try {
      for (let rows = this.journal.peek(BATCH); rows.length > 0; rows = this.journal.peek(BATCH)) {
        await this.send(rows.map((r) => r.message));
        this.journal.remove(rows.at(-1)!.seq);
      }
    } catch (error) {
      this.log.warn(`fleet: publishing stopped, ${this.journal.length} decision(s) wait in the outbox: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  private async send(texts: readonly string[]): Promise<void> {
    const messages = texts.map((t) => JSON.parse(t) as FleetMessage);
    const skip = staleBans(messages, this.clock());
    const multi = this.redis.multi();
    messages.forEach((m, i) => {
      if (skip.has(i)) return;
      const text = texts[i]!;
      const member = activeMember(m);
      multi.xadd(this.keys.decisions, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'msg', text);
      if (m.type === 'ban') {
        multi.zadd(this.keys.active, m.end === null ? '+inf' : m.end, member);
        multi.hset(this.keys.activeMessages, member, text);
      } else {
        multi.zrem(this.keys.active, member);
        multi.hdel(this.keys.activeMessages, member);
      }
    });
    if (skip.size === messages.length) return;
    const replies = await multi.exec();
    if (!replies) throw new Error('the transaction was discarded');
    const failed = replies.find(([error]) => error !== null);
    if (failed) throw failed[0]!;
    this.published += messages.length - skip.size;
  }
}
