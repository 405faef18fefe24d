import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendRequest } from '../src/control/control-client.js';

/**
 * A distributed attack, side by side: N distinct addresses × maxretry sshd failures appended to auth.log in
 * one write, each daemon in a network namespace of its own with its nftables action (banward's native
 * `nftables`, fail2ban's stock `nftables-multiport`). Measured: from the append to every address in the
 * namespace's nft sets, and for banward from its last line counted to the last element, plus how long
 * `status` took to answer while the burst was being applied.
 */

export interface LatencyResult {
  samples: number;
  /** The daemon's first ban after its start (cold: first transaction, first firewall write), apart. */
  firstMs: number;
  /** Over the bans after the first. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** CPU the daemon (and the tools it ran) used while idle, holding `bans` bans. */
export interface IdleResult {
  bans: number;
  seconds: number;
  cpuSeconds: number;
}

export interface BurstResult {
  idle: IdleResult | null;
  offenders: number;
  /** Seconds from the append to all N elements in nft. */
  enforcedSeconds: number;
  /** Seconds from every line counted (status) to all N in nft; null where the daemon cannot say cheaply. */
  afterReadSeconds: number | null;
  /** The slowest `status` reply while the burst was applied (ms); null when not measured. */
  statusMaxMs: number | null;
}

const MAXRETRY = 3;
const IDLE_SETTLE_MS = 30_000;

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function authLog(n: number, first = 0): string {
  const stamp = new Date().toString().slice(4, 15).replace(/ (\d) /, '  $1 ');
  const time = new Date().toTimeString().slice(0, 8);
  let text = '';
  for (let r = 0; r < MAXRETRY; r++) {
    for (let i = first; i < first + n; i++) text += `${stamp.slice(0, 6)} ${time} bench sshd[${1000 + i}]: Failed password for root from ${ip(i)} port ${20000 + r} ssh2\n`;
  }
  return text;
}

function nft(ns: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset'], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** The firewall the bans go to: nftables sets, or ipset's sets matched by iptables rules. */
export type Backend = 'nftables' | 'ipset';

/** Addresses in the namespace's sets: the namespace is the bench's own, so every one is a ban. */
function elements(ns: string, backend: Backend = 'nftables'): number {
  const listing = backend === 'nftables' ? nft(ns) : execFileSync('ip', ['netns', 'exec', ns, 'ipset', 'list'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return listing.match(/\b10\.\d+\.\d+\.\d+\b/g)?.length ?? 0;
}

/** utime + stime of the process and of its children it waited for, in seconds (/proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}

/** Brings the daemon to `bans` bans (more offenders in one append), then measures its CPU over idle seconds. */
async function idleCost(pid: number, ns: string, log: string, from: number, bans: number, seconds: number): Promise<IdleResult> {
  if (bans > from) appendFileSync(log, authLog(bans - from, from));
  await until(() => elements(ns) >= bans, 1_800_000, `${bans} bans for the idle measurement`);
  // Long enough for the burst's garbage to be collected and its heap given back: idle is what follows.
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const before = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return { bans, seconds, cpuSeconds: cpuSeconds(pid) - before };
}

async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const JAIL = (log: string, action: string) => `[DEFAULT]\nbantime = 1h\nfindtime = 1h\nbackend = auto\n\n[sshd]\nenabled = true\nfilter = sshd\nlogpath = ${log}\nmaxretry = ${MAXRETRY}\naction = ${action}\n`;

/** banward's native nftables action, or one of fail2ban's action.d files (Debian's /etc/fail2ban/action.d) run by the compat layer. */
export type BurstAction = { kind: 'native'; backend: Backend } | { kind: 'action.d'; name: string; concurrency: number };

/** Each backend's action: banward's native one, and fail2ban's stock action.d file for it. */
const ACTIONS: Record<Backend, { native: string; fail2ban: string }> = {
  nftables: { native: 'nftables[port=22, protocol=tcp]', fail2ban: 'nftables-multiport[port=22, protocol=tcp]' },
  ipset: { native: 'ipset[port=22, protocol=tcp]', fail2ban: 'iptables-ipset[port=22, protocol=tcp]' },
};

async function banwardBurst(bin: string, config: string, dir: string, ns: string, n: number, idle: IdleOptions, action: BurstAction): Promise<BurstResult> {
  const conf = join(dir, 'bw');
  cpSync(join(config, 'filter.d'), join(conf, 'filter.d'), { recursive: true });
  if (action.kind === 'action.d') symlinkSync('/etc/fail2ban/action.d', join(conf, 'action.d'));
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  const spec = action.kind === 'native' ? ACTIONS[action.backend].native : `${action.name}[port=22, protocol=tcp, concurrency=${action.concurrency}]`;
  const backend = action.kind === 'native' ? action.backend : 'nftables';
  writeFileSync(join(conf, 'jail.conf'), JAIL(log, spec));
  const socket = join(dir, 'bw.sock');
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, bin, 'server', '--config', conf, '--state-dir', join(dir, 'bw-state'), '--socket', socket, '--log-level', 'notice', '--log-target', join(dir, 'bw.log')], { stdio: 'ignore' });
  const status = async () => (await sendRequest(socket, 'status', ['sshd'])) as { filter: { totalFailed: number }; actions: { currentlyBanned: number } };
  try {
    await until(async () => { try { await status(); return true; } catch { return false; } }, 30_000, 'banward to start');
    const t0 = performance.now();
    appendFileSync(log, authLog(n));
    let statusMaxMs = 0;
    let readAt: number | null = null;
    await until(async () => {
      const asked = performance.now();
      const s = await status();
      statusMaxMs = Math.max(statusMaxMs, performance.now() - asked);
      if (readAt === null && s.filter.totalFailed >= n * MAXRETRY) readAt = performance.now();
      return readAt !== null && elements(ns, backend) >= n;
    }, 600_000, `banward to enforce ${n} bans`);
    const done = performance.now();
    const result = { offenders: n, enforcedSeconds: (done - t0) / 1000, afterReadSeconds: (done - readAt!) / 1000, statusMaxMs };
    return { ...result, idle: idle.seconds > 0 ? await idleCost(child.pid!, ns, log, n, idle.bans, idle.seconds) : null };
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Single-ban latency on a quiet daemon (maxretry 1): from appending one line to its address appearing in
 * nft, as `nft monitor` in the namespace reports the element (the firewall's own word, not the log's).
 */
async function banwardLatency(bin: string, config: string, dir: string, ns: string, samples: number): Promise<LatencyResult> {
  const conf = join(dir, 'bw');
  cpSync(join(config, 'filter.d'), join(conf, 'filter.d'), { recursive: true });
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  writeFileSync(join(conf, 'jail.conf'), JAIL(log, 'nftables[port=22, protocol=tcp]').replace(`maxretry = ${MAXRETRY}`, 'maxretry = 1'));
  const socket = join(dir, 'bw.sock');
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, bin, 'server', '--config', conf, '--state-dir', join(dir, 'bw-state'), '--socket', socket, '--log-level', 'notice', '--log-target', join(dir, 'bw.log')], { stdio: 'ignore' });
  const monitor = spawn('ip', ['netns', 'exec', ns, 'nft', 'monitor', 'elements'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const seen = new Map<string, number>();
  let pending = '';
  monitor.stdout.on('data', (chunk: Buffer) => {
    const at = performance.now();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) for (const m of line.matchAll(/\b10\.\d+\.\d+\.\d+\b/g)) if (!seen.has(m[0])) seen.set(m[0], at);
  });
  try {
    await until(async () => { try { await sendRequest(socket, 'ping', []); return true; } catch { return false; } }, 30_000, 'banward to start');
    await until(() => elements(ns) === 0 && nft(ns).includes('banward'), 30_000, 'the banward table');
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const address = ip(200_000 + i);
      const appended = performance.now();
      appendFileSync(log, authLog(1).replace('10.0.0.0', address).split('\n')[0] + '\n');
      await until(() => seen.has(address), 30_000, `the element of ${address}`);
      latencies.push(seen.get(address)! - appended);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [first, ...warm] = latencies;
    return { samples, firstMs: first ?? NaN, p50Ms: percentile(warm, 50), p99Ms: percentile(warm, 99), maxMs: Math.max(...warm) };
  } finally {
    monitor.kill();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

async function fail2banBurst(dir: string, ns: string, n: number, idle: IdleOptions, backend: Backend): Promise<BurstResult> {
  const conf = join(dir, 'f2b');
  mkdirSync(conf, { recursive: true });
  for (const d of ['filter.d', 'action.d']) symlinkSync(`/etc/fail2ban/${d}`, join(conf, d));
  for (const f of ['paths-common.conf', 'paths-debian.conf']) symlinkSync(`/etc/fail2ban/${f}`, join(conf, f));
  const log = join(dir, 'auth.log');
  writeFileSync(log, '');
  writeFileSync(join(conf, 'jail.conf'), JAIL(log, ACTIONS[backend].fail2ban));
  writeFileSync(join(conf, 'fail2ban.conf'), `[Definition]\nloglevel = NOTICE\nlogtarget = ${join(dir, 'f2b.log')}\ndbfile = ${join(dir, 'f2b.sqlite3')}\n`);
  const client = (...args: string[]) => spawnSync('ip', ['netns', 'exec', ns, 'fail2ban-client', '-c', conf, '-s', join(dir, 'f2b.sock'), '-p', join(dir, 'f2b.pid'), ...args], { encoding: 'utf8' });
  const started = client('start');
  if (started.status !== 0) throw new Error(`fail2ban-client start: ${started.stderr}`);
  try {
    await until(() => client('ping').status === 0, 30_000, 'fail2ban-server to start');
    const t0 = performance.now();
    appendFileSync(log, authLog(n));
    await until(() => elements(ns, backend) >= n, 1_800_000, `fail2ban-server to enforce ${n} bans`);
    const result = { offenders: n, enforcedSeconds: (performance.now() - t0) / 1000, afterReadSeconds: null, statusMaxMs: null };
    const pid = Number(readFileSync(join(dir, 'f2b.pid'), 'utf8'));
    return { ...result, idle: idle.seconds > 0 ? await idleCost(pid, ns, log, n, idle.bans, idle.seconds) : null };
  } finally {
    client('stop');
  }
}

async function inNamespace<T>(run: (ns: string, dir: string) => Promise<T>): Promise<T> {
  const ns = `bwburst${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'banward-burst-'));
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    return await run(ns, dir);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runLatencyBench(bin: string, config: string, samples: number): Promise<LatencyResult> {
  return inNamespace((ns, dir) => banwardLatency(bin, config, dir, ns, samples));
}

export interface IdleOptions {
  /** Bans held while idle (the burst's, plus more offenders); seconds measured (0: no idle measurement). */
  bans: number;
  seconds: number;
}

export interface BurstBench {
  banward: BurstResult;
  fail2ban: BurstResult | null;
  /** The same burst to ipset sets (iptables rules): banward's native action, fail2ban's iptables-ipset. */
  ipset: { banward: BurstResult; fail2ban: BurstResult | null };
  /** The same burst through fail2ban's nftables-multiport action.d file, by concurrency; empty without fail2ban installed. */
  actionD: { concurrency: number; result: BurstResult }[];
}

/** Concurrency of the action.d rows: fail2ban's one at a time, and banward's bound for an action that allows it. */
const ACTION_D_CONCURRENCY = [1, 8];

export async function runBurstBench(bin: string, config: string, n: number, idle: IdleOptions): Promise<BurstBench> {
  const banward = await inNamespace((ns, dir) => banwardBurst(bin, config, dir, ns, n, idle, { kind: 'native', backend: 'nftables' }));
  const installed = existsSync('/usr/bin/fail2ban-server') && process.env['BENCH_BURST_FAIL2BAN'] !== '0';
  const fail2ban = installed ? await inNamespace((ns, dir) => fail2banBurst(dir, ns, n, idle, 'nftables')) : null;
  const noIdle = { bans: 0, seconds: 0 };
  const ipset = {
    banward: await inNamespace((ns, dir) => banwardBurst(bin, config, dir, ns, n, noIdle, { kind: 'native', backend: 'ipset' })),
    fail2ban: installed ? await inNamespace((ns, dir) => fail2banBurst(dir, ns, n, noIdle, 'ipset')) : null,
  };
  const actionD: BurstBench['actionD'] = [];
  for (const concurrency of installed ? ACTION_D_CONCURRENCY : []) {
    const action: BurstAction = { kind: 'action.d', name: 'nftables-multiport', concurrency };
    actionD.push({ concurrency, result: await inNamespace((ns, dir) => banwardBurst(bin, config, dir, ns, n, noIdle, action)) });
  }
  return { banward, fail2ban, ipset, actionD };
}
