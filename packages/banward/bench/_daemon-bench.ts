import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendRequest } from '../src/control/control-client.js';

/**
 * The daemons side by side: `banward server` and `fail2ban-server` each ingest the same 100k failure lines
 * from distinct addresses (time to count them all, peak memory), then ban latency from a line's append to
 * the ban being recorded (maxretry 1).
 */

export interface DaemonResult {
  ingestSeconds: number;
  linesPerSecond: number;
  rssStartMb: number;
  rssPeakMb: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const FILTER = '[Definition]\nfailregex = ^\\s*login failed from <HOST>$\n';

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function distinctIp(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const POLL_MS = 5;

/**
 * fail2ban's side of the ingest wait: one Python process asking fail2ban-server through fail2ban's own
 * client socket class until jail `test` has counted `want` failures (exit 0) or time runs out (exit 1).
 */
const FAIL2BAN_WAIT = `
import sys, time
from fail2ban.client.csocket import CSocket
path, want, deadline = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
while time.time() < deadline:
    try:
        s = CSocket(path)
        code, status = s.send(["status", "test"])
        s.close()
        if code == 0 and dict(dict(status)["Filter"])["Total failed"] >= want:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(${POLL_MS / 1000})
sys.exit(1)
`;

interface Daemon {
  start(dir: string, jail: string): ChildProcess | null;
  /**
   * Resolves once jail \`test\` has counted \`want\` failures. It polls from one process every few ms over the
   * daemon's own socket protocol: starting a client process per poll would take a core from the daemon.
   */
  waitForFailed(dir: string, want: number, timeoutMs: number): Promise<void>;
  /** The daemon's own log, whose `Ban` lines carry millisecond timestamps. */
  logFile(dir: string): string;
  pid(dir: string, child: ChildProcess | null): number;
  stop(dir: string, child: ChildProcess | null): Promise<void>;
}

function banwardDaemon(bin: string): Daemon {
  return {
    start: (dir, jail) => {
      mkdirSync(join(dir, 'bw', 'filter.d'), { recursive: true });
      writeFileSync(join(dir, 'bw', 'filter.d', 'test.conf'), FILTER);
      writeFileSync(join(dir, 'bw', 'jail.conf'), jail);
      return spawn(process.execPath, [bin, 'server', '--config', join(dir, 'bw'), '--state-dir', join(dir, 'bw-state'), '--socket', join(dir, 'bw.sock'), '--log-level', 'notice', '--log-target', join(dir, 'bw.log')], { stdio: 'ignore' });
    },
    waitForFailed: async (dir, want, timeoutMs) => {
      const failed = async () => {
        try {
          // A line the watchdog abandoned (linetimeout) is accounted for, not waited for.
          const { filter } = await sendRequest(join(dir, 'bw.sock'), 'status', ['test']) as { filter: { totalFailed: number; abandonedLines: number } };
          return filter.totalFailed + filter.abandonedLines;
        } catch {
          return -1;
        }
      };
      const deadline = Date.now() + timeoutMs;
      while (await failed() < want) {
        if (Date.now() > deadline) throw new Error(`timed out: banward to count ${want} failures`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    logFile: (dir) => join(dir, 'bw.log'),
    pid: (_dir, child) => child!.pid!,
    stop: async (_dir, child) => {
      const exited = new Promise((r) => child!.once('exit', r));
      child!.kill('SIGTERM');
      await exited;
    },
  };
}

function fail2banDaemon(): Daemon {
  const client = (dir: string, ...args: string[]) =>
    spawnSync('fail2ban-client', ['-c', join(dir, 'f2b'), '-s', join(dir, 'f2b.sock'), '-p', join(dir, 'f2b.pid'), ...args], { encoding: 'utf8' });
  return {
    start: (dir, jail) => {
      mkdirSync(join(dir, 'f2b', 'filter.d'), { recursive: true });
      writeFileSync(join(dir, 'f2b', 'filter.d', 'test.conf'), FILTER);
      writeFileSync(join(dir, 'f2b', 'jail.conf'), jail);
      writeFileSync(join(dir, 'f2b', 'fail2ban.conf'), `[Definition]\nloglevel = NOTICE\nlogtarget = ${join(dir, 'f2b.log')}\ndbfile = ${join(dir, 'f2b.sqlite3')}\n`);
      const r = client(dir, 'start');
      if (r.status !== 0) throw new Error(`fail2ban-client start: ${r.stderr}`);
      return null;
    },
    waitForFailed: async (dir, want, timeoutMs) => {
      const waiter = spawn('/usr/bin/python3', ['-c', FAIL2BAN_WAIT, join(dir, 'f2b.sock'), String(want), String(timeoutMs / 1000)], { stdio: 'inherit' });
      const [code] = await once(waiter, 'exit') as [number | null];
      if (code !== 0) throw new Error(`timed out: fail2ban-server to count ${want} failures`);
    },
    logFile: (dir) => join(dir, 'f2b.log'),
    pid: (dir) => Number(readFileSync(join(dir, 'f2b.pid'), 'utf8')),
    stop: async (dir) => { client(dir, 'stop'); },
  };
}

async function measure(daemon: Daemon, lines: number, samples: number): Promise<DaemonResult> {
  const dir = mkdtempSync(join(tmpdir(), 'banward-daemon-bench-'));
  try {
    const log = join(dir, 'app.log');
    // Ingest: maxretry high enough that nobody is banned; every line is a distinct address.
    writeFileSync(log, '');
    const jail = (maxretry: number) => `[DEFAULT]\nbantime = 1h\nfindtime = 1h\nbackend = auto\n\n[test]\nenabled = true\nfilter = test\nlogpath = ${log}\nmaxretry = ${maxretry}\naction =\n`;
    let child = daemon.start(dir, jail(1000));
    await daemon.waitForFailed(dir, 0, 30_000);
    const pid = daemon.pid(dir, child);
    const rssStartMb = rssMb(pid, 'VmRSS');
    const now = stamp();
    let text = '';
    for (let i = 0; i < lines; i++) text += `${now} login failed from ${distinctIp(i)}\n`;
    const t0 = process.hrtime.bigint();
    appendFileSync(log, text);
    await daemon.waitForFailed(dir, lines, 600_000);
    const ingestSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const rssPeakMb = rssMb(pid, 'VmHWM');
    await daemon.stop(dir, child);
    // Latency: a fresh daemon with maxretry 1; one line at a time, poll until its ban is recorded.
    rmSync(log);
    writeFileSync(log, '');
    const latencies: number[] = [];
    const dir2 = join(dir, 'latency');
    mkdirSync(dir2);
    child = daemon.start(dir2, jail(1));
    await daemon.waitForFailed(dir2, 0, 30_000);
    for (let i = 0; i < samples; i++) {
      const ip = `203.0.113.${i + 1}`;
      const banLine = new RegExp(`^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d),(\\d{3}).*\\[test\\] Ban ${ip.replaceAll('.', '\\.')}$`, 'm');
      const appended = Date.now();
      appendFileSync(log, `${stamp()} login failed from ${ip}\n`);
      let m: RegExpExecArray | null = null;
      await until(() => (m = banLine.exec(existsSync(daemon.logFile(dir2)) ? readFileSync(daemon.logFile(dir2), 'utf8') : '')) !== null, 30_000, `ban of ${ip}`);
      const [, wall, ms] = m!;
      latencies.push(new Date(wall!.replace(' ', 'T')).getTime() + Number(ms) - appended);
    }
    await daemon.stop(dir2, child);
    return {
      ingestSeconds, linesPerSecond: lines / ingestSeconds, rssStartMb, rssPeakMb,
      latencyP50Ms: percentile(latencies, 50), latencyP99Ms: percentile(latencies, 99),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runDaemonBench(bin: string, lines: number, samples: number): Promise<{ banward: DaemonResult; fail2ban: DaemonResult | null }> {
  const banward = await measure(banwardDaemon(bin), lines, samples);
  const fail2ban = existsSync('/usr/bin/fail2ban-server') ? await measure(fail2banDaemon(), lines, samples) : null;
  return { banward, fail2ban };
}
