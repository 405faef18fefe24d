import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from '../../control/_line-splitter.js';
import type { Logger } from '../../log/logger.js';

/**
 * What the kernel tells of deletions in the ruleset, as they happen: one `nft monitor destroy` for the
 * whole daemon, shared by every nftables action. It lets an idle daemon trust its picture of the sets
 * without listing them; while it is not trusted (not yet subscribed, died, restarting) the actions list.
 */
export interface FirewallWatch {
  /** True while no deletion can have gone unseen since `since` (a `performance.now()` value). */
  trustedSince(since: number): boolean;
  /** Calls `listener` with each line the monitor prints; returns the unsubscribe. */
  subscribe(listener: (line: string) => void): () => void;
}

/** The monitor is trusted this long after its start: by then it has subscribed to the kernel's events. */
const SETTLE_MS = 1000;
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 60_000;
/** A deletion line names one element per comma; nft cuts none, but a line past this is not ours to read. */
const MAX_LINE_BYTES = 1 << 20;
const MONITOR_COMMAND = ['setpriv', '--pdeathsig', 'KILL', '--', 'nft', '-j', 'monitor', 'destroy'];

export class NftMonitor implements FirewallWatch {
  private readonly listeners = new Set<(line: string) => void>();
  private child: ChildProcess | null = null;
  /** When the running monitor became trustworthy; null while none is. */
  private trustedFrom: number | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelay = RESTART_MIN_MS;

  constructor(private readonly log: Logger, private readonly command: readonly string[] = MONITOR_COMMAND) {}

  trustedSince(since: number): boolean {
    return this.trustedFrom !== null && this.trustedFrom <= since;
  }

  subscribe(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.spawn();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.halt();
    };
  }

  private spawn(): void {
    const [program, ...args] = this.command;
    // Its own process group, and (through setpriv) killed with the daemon: a kill -9 leaves no monitor behind.
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const splitter = new LineSplitter(MAX_LINE_BYTES);
    child.stdout.on('data', (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      for (const line of lines) for (const listener of this.listeners) listener(line);
      if (overflow) this.restart(child, 'printed an over-long line');
    });
    // nft says on stderr when the kernel dropped events (a full socket buffer under a large transaction) and
    // goes on: what it reported before is no longer the whole story, so nothing read before now is vouched for.
    child.stderr.on('data', () => {
      if (this.trustedFrom !== null) this.trustedFrom = performance.now();
    });
    child.unref();
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.trustedFrom = performance.now();
      this.restartDelay = RESTART_MIN_MS;
    }, SETTLE_MS);
    this.settleTimer.unref();
    child.on('error', (error) => this.restart(child, `could not run (${error.message})`));
    child.on('close', (code, signal) => this.restart(child, signal ? `was killed by ${signal}` : `exited with status ${code}`));
  }

  /** Forgets a monitor that ended (every line it might have missed makes the actions list again), and starts another. */
  private restart(child: ChildProcess, why: string): void {
    if (this.child !== child) return;
    this.stopChild();
    if (this.listeners.size === 0) return;
    this.log.warn(`nft monitor ${why}; the firewall is checked by listing until it runs again (in ${this.restartDelay / 1000} s)`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.listeners.size > 0) this.spawn();
    }, this.restartDelay);
    this.restartTimer.unref();
    this.restartDelay = Math.min(this.restartDelay * 2, RESTART_MAX_MS);
  }

  private stopChild(): void {
    this.trustedFrom = null;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    const child = this.child;
    this.child = null;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private halt(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.stopChild();
  }
}

let shared: NftMonitor | null = null;

/** The daemon's one monitor, started by the first action that subscribes and stopped with the last. */
export function sharedNftMonitor(log: Logger): NftMonitor {
  shared ??= new NftMonitor(log);
  return shared;
}
