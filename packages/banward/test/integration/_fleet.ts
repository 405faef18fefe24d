/**
 * A fleet under test: a redis-server in a network namespace of its own, and N banward daemons, each in
 * its own namespace with its own nftables, joined to Redis's namespace by a veth pair (node i: Redis
 * 10.250.i.1, the node 10.250.i.2, a /30). Every namespace and address is made and removed here.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDaemonDirs, startDaemon, stopDaemon, type DaemonHarness } from './_daemon.js';
import { inNs, ip } from './_netns.js';
import { startRedisServer, type RedisServer } from './_redis-server.js';

export const REDIS_PORT = 6379;

export interface FleetMember {
  /** `node-1`, `node-2`, … */
  name: string;
  ns: string;
  /** The node's address on its link to Redis (its own: ignoreself covers it). */
  address: string;
  /** Redis's address on that link. */
  redisAddress: string;
  /** The node's end of the link (a veth device in its namespace). */
  link: string;
  daemon: DaemonHarness;
}

export interface Fleet {
  redisNs: string;
  members: FleetMember[];
  startRedis(): Promise<void>;
  /** SIGKILL: no shutdown, no last save beyond what the append-only file already holds. */
  killRedis(): Promise<void>;
  /** redis-cli in Redis's namespace; `input` is the last argument, read from stdin (-x). */
  redis(args: string[], input?: string): string;
  startNode(member: FleetMember): Promise<void>;
  stopNode(member: FleetMember): Promise<void>;
  /** Cuts the node off from Redis (an nft table in the node's namespace drops what Redis sends it), or lets it through again. */
  partition(member: FleetMember): void;
  heal(member: FleetMember): void;
  destroy(): Promise<void>;
}

/** banward.conf for a member: `[fleet]` pointing at Redis over its link, plus `extra` lines in `[fleet]`. */
function banwardConf(member: Pick<FleetMember, 'name' | 'redisAddress'>, extra: string): string {
  return `[Definition]\ndbpurgeage = 1d\n\n[fleet]\nredis = redis://${member.redisAddress}:${REDIS_PORT}/0\nnode = ${member.name}\n${extra}`;
}

/**
 * Makes the namespaces and links and writes each node's configuration (`jailConf` as in makeDaemonDirs);
 * nothing runs yet: startRedis, then startNode for each member.
 */
export function makeFleet(jailConf: string, count = 3, fleetExtra = ''): Fleet {
  const id = randomBytes(3).toString('hex');
  const redisNs = `bwf${id}r`;
  const namespaces = [redisNs];
  const redisDir = mkdtempSync(join(tmpdir(), 'banward-fleet-redis-'));
  let redis: RedisServer | null = null;
  const members: FleetMember[] = [];
  const destroyNetwork = () => {
    for (const ns of namespaces) {
      try { ip('netns', 'del', ns); } catch { /* not created */ }
    }
  };
  try {
    ip('netns', 'add', redisNs);
    inNs(redisNs, 'ip', 'link', 'set', 'lo', 'up');
    for (let i = 1; i <= count; i++) {
      const ns = `bwf${id}n${i}`;
      namespaces.push(ns);
      ip('netns', 'add', ns);
      ip('link', 'add', `bwf${id}r${i}`, 'netns', redisNs, 'type', 'veth', 'peer', 'name', `bwf${id}n${i}`, 'netns', ns);
      const [redisAddress, address] = [`10.250.${i}.1`, `10.250.${i}.2`];
      for (const [where, dev, addr] of [[redisNs, `bwf${id}r${i}`, redisAddress], [ns, `bwf${id}n${i}`, address]] as const) {
        inNs(where, 'ip', 'link', 'set', 'lo', 'up');
        inNs(where, 'ip', 'addr', 'add', `${addr}/30`, 'dev', dev);
        inNs(where, 'ip', 'link', 'set', dev, 'up');
      }
      const member = { name: `node-${i}`, ns, address, redisAddress, link: `bwf${id}n${i}`, daemon: makeDaemonDirs(jailConf) };
      writeFileSync(join(member.daemon.config, 'banward.conf'), banwardConf(member, fleetExtra));
      writeFileSync(member.daemon.log, '');
      members.push(member);
    }
  } catch (error) {
    destroyNetwork();
    throw new Error(`cannot create the fleet's network namespaces (root and iproute2 needed): ${(error as Error).message}`);
  }
  const fleet: Fleet = {
    redisNs,
    members,
    async startRedis() {
      const bind = ['127.0.0.1', ...members.map((m) => m.redisAddress)].join(' ');
      // Append-only with a sync per write: a SIGKILLed Redis comes back with everything it acknowledged.
      redis = await startRedisServer(redisNs, ['--port', String(REDIS_PORT), '--bind', bind, '--protected-mode', 'no',
        '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', redisDir], ['-p', String(REDIS_PORT)]);
    },
    async killRedis() {
      await redis?.kill();
      redis = null;
    },
    redis(args, input) {
      if (!redis) throw new Error('redis-server is not running');
      return redis.cli(args, input);
    },
    startNode: async (member) => { await startDaemon(member.daemon, [], member.ns); },
    stopNode: (member) => stopDaemon(member.daemon),
    partition(member) {
      // At the node's link, both ways (netdev ingress and egress): its packets vanish as on a cut cable. An
      // inet output drop would fail its writes at once with EPERM, which no real partition does.
      const rules = `table netdev fleet_partition {
        chain in { type filter hook ingress device "${member.link}" priority -500; ip saddr ${member.redisAddress} drop; }
        chain out { type filter hook egress device "${member.link}" priority -500; ip daddr ${member.redisAddress} drop; }
      }`;
      const r = spawnSync('ip', ['netns', 'exec', member.ns, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nft: ${r.stderr}`);
    },
    heal(member) {
      inNs(member.ns, 'nft', 'delete', 'table', 'netdev', 'fleet_partition');
    },
    async destroy() {
      for (const member of members) {
        await stopDaemon(member.daemon);
        rmSync(member.daemon.dir, { recursive: true, force: true });
      }
      await fleet.killRedis();
      destroyNetwork();
      rmSync(redisDir, { recursive: true, force: true });
    },
  };
  return fleet;
}
