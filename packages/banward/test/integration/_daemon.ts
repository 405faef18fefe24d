import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BANWARD_BIN } from '../compat/_sample-suite.js';

/** A real `banward server` child process on its own temp config, state and socket. */
export interface DaemonHarness {
  dir: string;
  config: string;
  state: string;
  socket: string;
  /** The app socket the daemon opens beside the admin socket (report and reads only). */
  appSocket: string;
  log: string;
  actions: string;
  /** Everything the daemon printed (its log goes to stderr). */
  output: string[];
  process: ChildProcess | null;
}

export function makeDaemonDirs(jailConf: string, filters: Record<string, string> = {}): DaemonHarness {
  const dir = mkdtempSync(join(tmpdir(), 'banward-daemon-'));
  const config = join(dir, 'config');
  mkdirSync(join(config, 'filter.d'), { recursive: true });
  writeFileSync(join(config, 'jail.conf'), jailConf.replaceAll('$DIR', dir));
  writeFileSync(join(config, 'banward.conf'), '[Definition]\ndbpurgeage = 1d\n');
  writeFileSync(join(config, 'filter.d', 'test.conf'), '[Definition]\nfailregex = ^\\s*login failed(?: for \\S+)? from <HOST>$\n');
  for (const [name, text] of Object.entries(filters)) writeFileSync(join(config, 'filter.d', `${name}.conf`), text);
  return {
    dir, config, state: join(dir, 'state'), socket: join(dir, 'run', 'banward.sock'), appSocket: join(dir, 'run', 'app.sock'),
    log: join(dir, 'app.log'), actions: join(dir, 'actions.log'),
    output: [], process: null,
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How the tests run banward: this checkout's bin; an installed one (npm, .deb) in the install tests. */
const CHECKOUT_BANWARD: readonly string[] = [process.execPath, BANWARD_BIN];

/** Spawns `banward server` (inside network namespace `netns` when given) without waiting for it. */
export function spawnDaemon(h: DaemonHarness, extra: string[] = [], netns?: string, banward = CHECKOUT_BANWARD): ChildProcess {
  const prefix = netns ? ['ip', 'netns', 'exec', netns, ...banward] : [...banward];
  const child = spawn(prefix[0]!, [...prefix.slice(1), 'server', '--config', h.config, '--state-dir', h.state, '--socket', h.socket, '--log-level', 'info', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => h.output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => h.output.push(d.toString()));
  h.process = child;
  return child;
}

/** Waits until the daemon answers `ping` (its sockets open before its jails have started). */
export async function waitForPing(h: DaemonHarness): Promise<void> {
  const child = h.process!;
  await waitFor('the daemon to answer on its socket', () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the daemon exited (${child.exitCode ?? child.signalCode}):\n${h.output.join('')}`);
    return existsSync(h.socket) && client(h, 'ping').code === 0;
  });
}

/** Starts `banward server` and waits until its jails have started (their sources are reading). */
export async function startDaemon(h: DaemonHarness, extra: string[] = [], netns?: string, banward = CHECKOUT_BANWARD): Promise<ChildProcess> {
  const before = h.output.length;
  // With --log-target FILE the daemon's log goes to that file, not to the output we collect.
  const target = extra.includes('--log-target') ? extra[extra.indexOf('--log-target') + 1] : undefined;
  const logFile = target !== undefined && target.startsWith('/') ? target : undefined;
  const logged = () => (logFile ? (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') : h.output.slice(before).join(''));
  const child = spawnDaemon(h, extra, netns, banward);
  await waitForPing(h);
  await waitFor('the daemon to start its jails', () => logged().includes('Server ready'));
  return child;
}

export async function stopDaemon(h: DaemonHarness): Promise<void> {
  const child = h.process;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export function client(h: DaemonHarness, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BANWARD_BIN, ...args, '--socket', h.socket], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function clientJson<T>(h: DaemonHarness, ...args: string[]): T {
  const r = client(h, ...args, '--json');
  if (r.code !== 0) throw new Error(`banward ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A log line the test filter matches, stamped with the current local time. */
export function failureLine(ip: string, at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())} login failed from ${ip}\n`;
}

export function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

export function bannedIps(h: DaemonHarness, jail = 'test'): string[] {
  return clientJson<string[]>(h, 'get', jail, 'banip');
}
