import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { DaemonControl, RemoteBanOutcome } from '../control/index.js';
import type { Logger } from '../log/logger.js';
import type { FleetJournal } from './fleet-journal.js';
import { DROP_REASONS, parseMessage, type DropReason, type FleetMessage, type JailCheck } from './fleet-message.js';
import { activeMember } from './_publisher.js';
import { compareIds, type FleetKeys } from './_redis-client.js';

/** Entries read per XREAD, and how long one blocks (ms); a reply later than BLOCK + slack means the link is dead. */
const READ_COUNT = 200;
const BLOCK_MS = 5000;
const REPLY_SLACK_MS = 3000;
/** Message ids remembered to apply each once (a publish retried after a lost reply). */
const SEEN_IDS = 50_000;

type StreamEntry = [id: string, fields: string[]];

/** What the reader did with what it read: `banward fleet` shows these. */
export interface ReaderCounts {
  received: number;
  applied: number;
  own: number;
  duplicates: number;
  refused: number;
  ended: number;
  dropped: Record<DropReason, number>;
}

interface StreamInfo {
  lastGenerated: string;
  maxDeleted: string;
  /** The oldest entry still held; null when the stream is empty. */
  first: string | null;
}

function pairs(flat: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}

/**
 * Reads other nodes' decisions and applies them through DaemonControl. On every (re)connect: on from
 * the last id kept in SQLite when the stream still holds everything after it; otherwise (first start, the
 * id trimmed away, a Redis that lost its data) the stream's last id is taken first, then every unexpired
 * ban of the active set is applied, then reading goes on from that id, so nothing falls in between.
 */
export class StreamReader {
  readonly counts: ReaderCounts = {
    received: 0, applied: 0, own: 0, duplicates: 0, refused: 0, ended: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };
  private readonly seen = new Set<string>();
  private stopped = false;

  constructor(private readonly redis: Redis, private readonly control: DaemonControl, private readonly journal: FleetJournal,
    private readonly keys: FleetKeys, private readonly node: string, private readonly jails: JailCheck,
    private readonly clock: Clock, private readonly log: Logger) {}

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    let failures = 0;
    let lastError = '';
    while (!this.stopped) {
      try {
        await this.ready();
        if (this.stopped) return;
        let from = await this.sync();
        while (!this.stopped) {
          const entries = await this.read(from);
          failures = 0;
          lastError = '';
          if (entries.length === 0) continue;
          await this.applyEntries(entries);
          from = entries.at(-1)![0];
          this.journal.lastId = from;
        }
      } catch (error) {
        if (this.stopped) return;
        const message = (error as Error).message;
        if (message !== lastError) this.log.info(`fleet: reading stopped (${message}); again once Redis answers`);
        lastError = message;
        // A key of the wrong type or a refused command fails at once each time: back off, up to 5 s.
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(failures++, 5))));
      }
    }
  }

  private ready(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { clearInterval(poll); this.redis.off('ready', done); resolve(); };
      const poll = setInterval(() => { if (this.stopped) done(); }, 200);
      this.redis.once('ready', done);
    });
  }

  private async read(from: string): Promise<StreamEntry[]> {
    let timer: NodeJS.Timeout | undefined;
    const dead = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.redis.disconnect(true);
        reject(new Error('no reply from Redis'));
      }, BLOCK_MS + REPLY_SLACK_MS);
    });
    try {
      const reply = await Promise.race([this.redis.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.decisions, from), dead]);
      return reply?.[0]?.[1] ?? [];
    } finally {
      clearTimeout(timer);
    }
  }

  private async streamInfo(): Promise<StreamInfo | null> {
    if (await this.redis.exists(this.keys.decisions) === 0) return null;
    const info = pairs(await this.redis.call('XINFO', 'STREAM', this.keys.decisions));
    const id = (field: string): string => {
      const value = info.get(field);
      return typeof value === 'string' ? value : '0-0';
    };
    const firstEntry = info.get('first-entry');
    const first = Array.isArray(firstEntry) && typeof firstEntry[0] === 'string' ? firstEntry[0] : null;
    return { lastGenerated: id('last-generated-id'), maxDeleted: id('max-deleted-entry-id'), first };
  }

  /**
   * Whether the stream still holds every entry after `stored`. Redis 7.0 moves max-deleted-entry-id on
   * XDEL but not when MAXLEN trims, so an id older than the oldest entry held (or, in an emptied stream,
   * than the last one added) counts as trimmed away: a resync too many is harmless, one too few is not.
   */
  private static holdsAfter(info: StreamInfo, stored: string): boolean {
    if (compareIds(stored, info.maxDeleted) < 0 || compareIds(stored, info.lastGenerated) > 0) return false;
    return info.first === null ? compareIds(stored, info.lastGenerated) === 0 : compareIds(stored, info.first) >= 0;
  }

  /** Where to read on from, after applying the active set when the stream cannot tell everything. */
  private async sync(): Promise<string> {
    const info = await this.streamInfo();
    const stored = this.journal.lastId;
    if (info && stored !== null && StreamReader.holdsAfter(info, stored)) return stored;
    const from = info?.lastGenerated ?? '0-0';
    await this.applyActiveSet(info !== null);
    this.journal.lastId = from;
    this.log.notice(`fleet: resynchronised from the active set, reading on from ${from}`);
    return from;
  }

  /**
   * Every unexpired ban of the active set. When the stream exists the set is the fleet's truth, so fleet
   * bans held here that it no longer has (lifted while this node could not hear) are lifted too.
   */
  private async applyActiveSet(authoritative: boolean): Promise<void> {
    const active = await this.redis.hgetall(this.keys.activeMessages);
    const bans: FleetMessage[] = [];
    for (const raw of Object.values(active)) {
      const message = this.accept(raw);
      if (message?.type === 'ban') bans.push(message);
    }
    await this.applyBans(bans);
    if (!authoritative) return;
    const members = new Set(Object.keys(active));
    for (const ban of this.control.activeBans()) {
      if (ban.origin === undefined || ban.origin === this.node || !this.jails.applied(ban.jail) || members.has(activeMember(ban))) continue;
      await this.control.applyRemoteUnban({ jail: ban.jail, ip: ban.ip, origin: ban.origin }).catch(() => false);
    }
  }

  /** The message if it is valid, another node's, and not seen before; counted either way. */
  private accept(raw: unknown): FleetMessage | null {
    this.counts.received++;
    const parsed = parseMessage(raw, this.jails, this.clock());
    if ('dropped' in parsed) {
      this.counts.dropped[parsed.dropped]++;
      this.log.info(`fleet: message dropped (${parsed.dropped}: ${parsed.detail})`);
      return null;
    }
    const { message } = parsed;
    if (message.node === this.node) {
      this.counts.own++;
      return null;
    }
    if (this.seen.has(message.id)) {
      this.counts.duplicates++;
      return null;
    }
    this.seen.add(message.id);
    if (this.seen.size > SEEN_IDS) this.seen.delete(this.seen.values().next().value!);
    return message;
  }

  private async applyEntries(entries: readonly StreamEntry[]): Promise<void> {
    let bans: FleetMessage[] = [];
    for (const [, fields] of entries) {
      const message = this.accept(pairs(fields).get('msg'));
      if (!message) continue;
      if (message.type === 'ban') {
        bans.push(message);
        continue;
      }
      await this.applyBans(bans);
      bans = [];
      if (await this.control.applyRemoteUnban({ jail: message.jail, ip: message.ip, origin: message.node }).catch(() => false)) this.counts.applied++;
    }
    await this.applyBans(bans);
  }

  /** Bans side by side: the jail commits those of one turn together and enforces them in one batch. */
  private async applyBans(bans: readonly FleetMessage[]): Promise<void> {
    const outcomes = await Promise.all(bans.map((m) => this.control.applyRemoteBan({
      jail: m.jail, ip: m.ip, time: m.time, bantime: m.bantime, banCount: m.banCount, origin: m.node,
    }).catch((error: unknown): RemoteBanOutcome => {
      this.log.warn(`fleet: ban of ${m.ip} from ${m.node} not applied: ${(error as Error).message}`);
      return 'refused';
    })));
    for (const outcome of outcomes) {
      if (outcome === 'banned') this.counts.applied++;
      else if (outcome === 'refused') this.counts.refused++;
      else if (outcome === 'ended') this.counts.ended++;
    }
  }
}
