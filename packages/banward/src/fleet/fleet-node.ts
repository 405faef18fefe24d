import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { DaemonControl, DaemonEvent } from '../control/index.js';
import type { Logger } from '../log/logger.js';
import { FleetJournal } from './fleet-journal.js';
import { encodeMessage, type DropReason, type FleetMessage, type JailCheck } from './fleet-message.js';
import { selects, type FleetSettings } from './fleet-settings.js';
import { Publisher } from './_publisher.js';
import { compareIds, connectRedis, fleetKeys, idTime, type FleetKeys } from './_redis-client.js';
import { SharedCounter } from './_shared-counter.js';
import { StreamReader } from './_stream-reader.js';

/** Seconds between heartbeats (and sweeps of expired bans from the active set). */
const HEARTBEAT_S = 2;
/** Peers whose last heartbeat is older than this are left out of `banward fleet`. */
const RECENT_S = 3600;
const TRIM_ACTIVE = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)); redis.call('HDEL', KEYS[2], unpack(gone)) end
return #gone`;

export interface FleetPeer {
  node: string;
  /** Seconds since its last heartbeat. */
  seen: number;
  lastId: string | null;
  /** How far its last applied id is behind the stream's newest entry, in ms of stream time. */
  lagMs: number | null;
  queue: number;
}

/** `banward fleet` (docs/protocol.md). */
export interface FleetStatus {
  node: string;
  /** ioredis' connection state (`ready` when connected), and whether the last heartbeat got through. */
  redis: string;
  connected: boolean;
  /** Why the connection is not ready (ioredis' last error: a refused password, an untrusted certificate), null when it is. */
  error: string | null;
  /** Decisions waiting in the outbox, and those dropped from a full one. */
  queue: number;
  queueDropped: number;
  lastId: string | null;
  published: number;
  received: number;
  applied: number;
  duplicates: number;
  /** Bans refused by this node's ignore rules, and bans that had ended when they arrived. */
  refused: number;
  ended: number;
  dropped: Record<DropReason, number>;
  nodes: FleetPeer[];
}

export interface FleetContext {
  stateDir: string;
  clock: Clock;
  log: Logger;
}

/** A node of the fleet (docs/fleet.md): publishes this node's decisions, applies the others', counts shared failures. */
export class FleetNode {
  private readonly keys: FleetKeys;
  private readonly journal: FleetJournal;
  private readonly commands: Redis;
  private readonly reader: Redis;
  private readonly publisher: Publisher;
  private readonly stream: StreamReader;
  private readonly counter: SharedCounter;
  private unsubscribe: () => void = () => undefined;
  /** Whether the subscription takes `found` events: only while a jail counts with the fleet (they come with every failure). */
  private takesFound: boolean | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly reading: Promise<void>;
  private outgoing: string[] = [];
  private heartbeatOk = false;
  private commandsError: string | null = null;
  private readonly log: Logger;

  constructor(private readonly control: DaemonControl, private readonly settings: FleetSettings, ctx: FleetContext) {
    this.log = ctx.log;
    this.keys = fleetKeys(settings.prefix);
    this.journal = new FleetJournal(join(ctx.stateDir, 'fleet.sqlite3'));
    this.commands = this.connect('commands');
    this.reader = this.connect('reader');
    const jails: JailCheck = { known: (jail) => control.jailNames().includes(jail), applied: (jail) => selects(settings.apply, jail) };
    this.publisher = new Publisher(this.commands, this.journal, this.keys, ctx.clock, ctx.log);
    this.stream = new StreamReader(this.reader, control, this.journal, this.keys, settings.node, jails, ctx.clock, ctx.log);
    this.counter = new SharedCounter(this.commands, control, this.keys, settings.node, ctx.clock, ctx.log);
    this.commands.on('ready', () => void this.publisher.flush());
    this.subscribe();
    this.heartbeat = setInterval(() => void this.beat(ctx.clock()), HEARTBEAT_S * 1000);
    this.heartbeat.unref();
    this.reading = control.started.then(() => this.stream.run(), () => undefined);
    ctx.log.notice(`fleet: node ${settings.node}, keys ${settings.prefix}*, ${this.journal.length} decision(s) queued`);
    for (const [option, selection] of [['share', settings.share], ['apply', settings.apply]] as const) {
      const missing = selection === 'all' ? [] : selection.filter((jail) => !control.jailNames().includes(jail));
      if (missing.length) ctx.log.warn(`fleet: ${option} names jail(s) that do not run here: ${missing.join(', ')}`);
    }
  }

  /** A connection that logs its state changes (not every retry) and never throws an unhandled error event. */
  private connect(role: 'commands' | 'reader'): Redis {
    const redis = connectRedis(this.settings.redis, role);
    let lastError = '';
    redis.on('error', (error: Error) => {
      if (error.message !== lastError) this.log.warn(`fleet: Redis (${role}): ${error.message}`);
      lastError = error.message;
      if (role === 'commands') this.commandsError = error.message;
    });
    redis.on('ready', () => {
      lastError = '';
      if (role === 'commands') this.commandsError = null;
      this.log.notice(`fleet: Redis (${role}) connected`);
    });
    return redis;
  }

  /** (Re)subscribes when whether any jail counts with the fleet has changed (at start, after a reload). */
  private subscribe(): void {
    const found = this.control.jailNames().some((jail) => this.countsShared(jail));
    if (found === this.takesFound) return;
    this.unsubscribe();
    this.unsubscribe = this.control.subscribe((event) => this.onEvent(event), { found });
    this.takesFound = found;
  }

  private onEvent(event: DaemonEvent): void {
    if (event.type === 'reload') {
      this.subscribe();
      return;
    }
    if (event.type === 'found') {
      if (this.countsShared(event.jail)) this.counter.add(event);
      return;
    }
    if ((event.type !== 'ban' && event.type !== 'unban') || event.origin !== undefined || !selects(this.settings.share, event.jail)) return;
    if (event.type === 'unban' && event.reason !== 'lifted') return;
    const message: FleetMessage = event.type === 'ban'
      ? {
        v: 1, id: randomUUID(), node: this.settings.node, type: 'ban', jail: event.jail, ip: event.ip, time: event.time,
        end: event.bantime === -1 ? null : event.time + event.bantime, bantime: event.bantime, banCount: event.banCount,
      }
      : { v: 1, id: randomUUID(), node: this.settings.node, type: 'unban', jail: event.jail, ip: event.ip, time: event.time, end: null, bantime: 0, banCount: 0 };
    if (this.outgoing.length === 0) setImmediate(() => this.queueOutgoing());
    this.outgoing.push(encodeMessage(message));
  }

  private countsShared(jail: string): boolean {
    try {
      return this.control.resolvedOptions(jail).fleetCount === 'shared';
    } catch {
      return false;
    }
  }

  /** This turn's decisions into the outbox (in one transaction), then to Redis if it is there. */
  private queueOutgoing(): void {
    const dropped = this.journal.enqueue(this.outgoing);
    this.outgoing = [];
    if (dropped > 0) this.log.warn(`fleet: the outbox is full (${this.journal.limit}): ${dropped} oldest decision(s) dropped`);
    void this.publisher.flush();
  }

  private async beat(now: number): Promise<void> {
    try {
      await this.commands.hset(this.keys.nodes, this.settings.node, JSON.stringify({ time: now, lastId: this.journal.lastId, queue: this.journal.length }));
      await this.commands.eval(TRIM_ACTIVE, 2, this.keys.active, this.keys.activeMessages, now);
      this.heartbeatOk = true;
      void this.publisher.flush();
    } catch (error) {
      // A connection that stopped answering (a partition) is only noticed by a timeout: start a new one.
      if (this.commands.status === 'ready' && /timed out/i.test((error as Error).message)) this.commands.disconnect(true);
      this.heartbeatOk = false;
      this.log.debug(`fleet: heartbeat failed: ${(error as Error).message}`);
    }
  }

  async status(now: number): Promise<FleetStatus> {
    const counts = this.stream.counts;
    const connected = this.commands.status === 'ready' && this.heartbeatOk;
    return {
      node: this.settings.node,
      redis: this.commands.status,
      connected,
      error: this.commandsError,
      queue: this.journal.length + this.outgoing.length,
      queueDropped: this.journal.outboxDropped,
      lastId: this.journal.lastId,
      published: this.publisher.published,
      received: counts.received,
      applied: counts.applied,
      duplicates: counts.duplicates,
      refused: counts.refused,
      ended: counts.ended,
      dropped: { ...counts.dropped },
      nodes: connected ? await this.peers(now).catch(() => []) : [],
    };
  }

  private async peers(now: number): Promise<FleetPeer[]> {
    const [beats, newest] = await Promise.all([
      this.commands.hgetall(this.keys.nodes),
      this.commands.xrevrange(this.keys.decisions, '+', '-', 'COUNT', 1),
    ]);
    const newestId = newest[0]?.[0] ?? null;
    const peers: FleetPeer[] = [];
    for (const [node, text] of Object.entries(beats)) {
      let beat: { time?: unknown; lastId?: unknown; queue?: unknown };
      try {
        beat = JSON.parse(text) as typeof beat;
      } catch {
        continue;
      }
      if (typeof beat.time !== 'number' || now - beat.time > RECENT_S) continue;
      const lastId = typeof beat.lastId === 'string' && /^\d+-\d+$/.test(beat.lastId) ? beat.lastId : null;
      const lagMs = newestId === null ? 0 : lastId === null ? null : compareIds(lastId, newestId) >= 0 ? 0 : idTime(newestId) - idTime(lastId);
      peers.push({ node, seen: Math.max(0, Math.round(now - beat.time)), lastId, lagMs, queue: typeof beat.queue === 'number' ? beat.queue : 0 });
    }
    return peers.sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Stops reading and publishing; what is still queued stays in the outbox for the next start. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    if (this.outgoing.length) this.queueOutgoing();
    this.stream.stop();
    this.reader.disconnect();
    await this.reading;
    this.commands.disconnect();
    this.journal.close();
  }
}
