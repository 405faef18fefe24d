import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sendRequest } from '../src/control/control-client.js';
import { failureLine, waitFor } from '../test/integration/_daemon.js';
import { makeFleet, type Fleet, type FleetMember } from '../test/integration/_fleet.js';

/**
 * The fleet (issue 15): three daemons, each in its own network namespace with its own nftables, and a
 * redis-server in a fourth. Measured with `nft monitor` in each namespace (the firewall's own word):
 * propagation, from a ban's element in A's set to the element in B's; and a burst of N offenders spread
 * over the three nodes' logs, until all three hold all N.
 */

export interface FleetBenchResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  offenders: number;
  /** Seconds from the appends to every offender in all three nodes' sets. */
  burstSeconds: number;
}

const JAIL = `[DEFAULT]
bantime = 1h
findtime = 1h
backend = auto

[test]
enabled = true
filter = test
logpath = $DIR/app.log
maxretry = 3
action = nftables[port=8080, protocol=tcp]
`;

/** When each IPv4 element first appeared in the namespace's sets. */
class ElementWatch {
  readonly seen = new Map<string, number>();
  private readonly monitor: ChildProcess;
  private pending = '';

  constructor(ns: string) {
    this.monitor = spawn('ip', ['netns', 'exec', ns, 'nft', 'monitor', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.monitor.stdout!.on('data', (chunk: Buffer) => {
      const at = performance.now();
      this.pending += chunk.toString();
      const lines = this.pending.split('\n');
      this.pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('add element')) continue;
        for (const m of line.matchAll(/\b\d+\.\d+\.\d+\.\d+\b/g)) if (!this.seen.has(m[0])) this.seen.set(m[0], at);
      }
    });
  }

  close(): void {
    this.monitor.kill();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const address = (base: string, i: number): string => `${base}.${(i >> 8) & 255}.${i & 255}`;

async function propagation(a: FleetMember, watchA: ElementWatch, watchB: ElementWatch, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 1; i <= samples; i++) {
    const ip = address('172.16', i);
    await sendRequest(a.daemon.socket, 'set', ['test', 'banip', ip]);
    await waitFor(`${ip} in B's set`, () => watchB.seen.has(ip) && watchA.seen.has(ip), 60_000);
    latencies.push(watchB.seen.get(ip)! - watchA.seen.get(ip)!);
    await new Promise((r) => setTimeout(r, 50));
  }
  return latencies;
}

async function burst(fleet: Fleet, watches: readonly ElementWatch[], offenders: number): Promise<number> {
  const ips = Array.from({ length: offenders }, (_, i) => address('100.64', i));
  const started = performance.now();
  fleet.members.forEach((m, n) => {
    appendFileSync(m.daemon.log, ips.filter((_, i) => i % fleet.members.length === n).map((ip) => failureLine(ip).repeat(3)).join(''));
  });
  await waitFor(`all ${offenders} offenders on every node`, () => watches.every((w) => ips.every((ip) => w.seen.has(ip))), 1_800_000);
  return (performance.now() - started) / 1000;
}

/** Runs the fleet bench once: `samples` single bans on A for latency, then a burst of `offenders`. */
export async function runFleetBench(samples: number, offenders: number): Promise<FleetBenchResult> {
  const fleet = makeFleet(JAIL);
  const watches = fleet.members.map((m) => new ElementWatch(m.ns));
  try {
    await fleet.startRedis();
    for (const m of fleet.members) await fleet.startNode(m);
    const [a] = fleet.members as [FleetMember];
    const latencies = await propagation(a, watches[0]!, watches[1]!, samples);
    const burstSeconds = await burst(fleet, watches, offenders);
    return { samples, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies), offenders, burstSeconds };
  } finally {
    for (const w of watches) w.close();
    await fleet.destroy();
  }
}

/** docs/benchmarks.md's fleet section (bench/run.ts): BENCH_FLEET_SAMPLES single bans, a BENCH_FLEET_BURST burst. */
export async function fleetSection(): Promise<string> {
  const r = await runFleetBench(Number(process.env['BENCH_FLEET_SAMPLES'] ?? 50), Number(process.env['BENCH_FLEET_BURST'] ?? 10_000));
  return `## Fleet: bans shared through Redis (issue 15)

Three banward daemons, each in its own network namespace with its own nftables, and a redis-server in a
fourth, linked by veth pairs. Propagation is measured by \`nft monitor\` in A's and B's namespaces: from a
ban's element in A's set to the element in B's.

| | p50 | p99 | max | burst of ${r.offenders.toLocaleString('en')} offenders over three nodes, until all three hold all |
|---|---|---|---|---|
| banward fleet | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.maxMs.toFixed(1)} ms | ${r.burstSeconds.toFixed(2)} s |

${r.samples} single bans made on A with \`banward set test banip\`, 50 ms apart. In the burst each node's log
gets a third of the offenders (3 failures each); each node bans its own, publishes them, and applies the
others' in batches (one SQLite transaction and one \`nft -f -\` per batch read from the stream).
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(await fleetSection());
