import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Ban and unban throughput of actions, each run in a network namespace of its own (so the host's firewall
 * is never touched): a batch of N bans (what a restart's restore does), the same N unbanned, and bans one
 * at a time.
 */

export interface EnforcementResult {
  action: string;
  tickets: number;
  restoreSeconds: number;
  unbanSeconds: number;
  singleBansPerSecond: number;
}

const DRIVER = (registry: string) => `
import { resolveAction } from ${JSON.stringify(registry)};
const [spec, count, single, configDir] = process.argv.slice(2);
const silent = { error() {}, warn() {}, notice() {}, info() {}, debug() {}, enabled: () => false, child() { return silent; } };
const ctx = { jail: 'bench', clock: () => Date.now() / 1000, log: silent, configDir, jailOptions: { port: '8080', protocol: 'tcp' } };
const { action, reason } = await resolveAction(spec, ctx);
if (!action) throw new Error(reason);
const ip = (i) => '10.' + ((i >> 16) & 255) + '.' + ((i >> 8) & 255) + '.' + (i & 255);
const ticket = (i) => ({ jail: 'bench', ip: ip(i), time: Date.now() / 1000, bantime: 3600, banCount: 1, failures: 3, matches: [] });
const tickets = Array.from({ length: +count }, (_, i) => ticket(i + 1));
await action.start();
let t = performance.now();
await action.ban(tickets);
const restoreSeconds = (performance.now() - t) / 1000;
t = performance.now();
await action.unban(tickets);
const unbanSeconds = (performance.now() - t) / 1000;
t = performance.now();
for (let i = 0; i < +single; i++) await action.ban([ticket(100000 + i)]);
const singleBansPerSecond = +single / ((performance.now() - t) / 1000);
await action.stop();
console.log(JSON.stringify({ restoreSeconds, unbanSeconds, singleBansPerSecond }));
`;

export function runEnforcementBench(distRoot: string, runs: Array<{ spec: string; tickets: number; single: number; configDir: string }>): EnforcementResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'banward-enforce-bench-'));
  const script = join(dir, 'driver.mjs');
  writeFileSync(script, DRIVER(pathToFileURL(join(distRoot, 'src/enforcer/action-registry.js')).href));
  const results: EnforcementResult[] = [];
  try {
    for (const run of runs) {
      const ns = `bwbench${randomBytes(3).toString('hex')}`;
      execFileSync('ip', ['netns', 'add', ns]);
      try {
        const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, script, run.spec, String(run.tickets), String(run.single), run.configDir], { encoding: 'utf8', maxBuffer: 1 << 26 });
        results.push({ action: run.spec, tickets: run.tickets, ...(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<EnforcementResult, 'action' | 'tickets'>) });
      } finally {
        execFileSync('ip', ['netns', 'del', ns]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
