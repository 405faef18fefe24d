import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './fleet-settings.js';

/** How long a command may wait for its reply before the node counts Redis as unreachable. */
export const COMMAND_TIMEOUT_MS = 3000;

/** The keys of one fleet (docs/fleet.md), all under its prefix. */
export interface FleetKeys {
  decisions: string;
  /** Sorted set: member `jail|ip`, score the ban's end (+inf for ever). */
  active: string;
  /** Hash: field `jail|ip`, value the ban's message. */
  activeMessages: string;
  /** Hash: field node, value `{time, lastId, queue}`. */
  nodes: string;
  fail(jail: string, ip: string): string;
}

export function fleetKeys(prefix: string): FleetKeys {
  return {
    decisions: `${prefix}decisions`,
    active: `${prefix}active`,
    activeMessages: `${prefix}active:msg`,
    nodes: `${prefix}nodes`,
    fail: (jail, ip) => `${prefix}fail:${jail}:${ip}`,
  };
}

/**
 * One ioredis connection to the fleet's Redis. Nothing is queued in memory while Redis is away
 * (enableOfflineQueue off, no resend): the node's own SQLite outbox holds what waits, bounded.
 * Reconnects forever, at most every 2 s.
 */
export function connectRedis(target: RedisTarget, role: 'commands' | 'reader'): Redis {
  const options: RedisOptions = {
    db: target.db,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: COMMAND_TIMEOUT_MS,
    keepAlive: 1000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectionName: `banward-${role}`,
    ...(role === 'commands' ? { commandTimeout: COMMAND_TIMEOUT_MS } : {}),
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    // ioredis hands `tls` to tls.connect: the server's certificate and name are always verified.
    ...(target.tls ? { tls: target.tlsCa === undefined ? {} : { ca: target.tlsCa } } : {}),
  };
  if (target.sentinels) {
    return new Redis({
      ...options,
      sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.sentinelName!,
      // The Sentinels' password is their own: often they have none while the data nodes do, and given the
      // data nodes' one ioredis prints a warning outside the log at every connection.
      ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
      ...(target.tls ? { enableTLSForSentinelMode: true } : {}),
    });
  }
  return new Redis({ ...options, host: target.server!.host, port: target.server!.port });
}

/** Compares two stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map((p) => BigInt(p));
  const [bm = 0n, bs = 0n] = b.split('-').map((p) => BigInt(p));
  return am === bm ? (as === bs ? 0 : as < bs ? -1 : 1) : am < bm ? -1 : 1;
}

/** The milliseconds part of a stream id. */
export function idTime(id: string): number {
  return Number(id.split('-')[0]);
}
