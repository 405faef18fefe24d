import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/clock.js';
import type { BanTicket } from '../../src/enforcer/ban-action.js';
import { NATIVE_ACTIONS } from '../../src/enforcer/native/index.js';
import { firewallRunner, type Runner } from '../../src/enforcer/native/index.js';
import { createLogger } from '../../src/log/logger.js';

/**
 * Two network namespaces joined by a veth pair, made and removed by the test: `server` (10.77.0.1,
 * fd77::1) and `client` (10.77.0.2, fd77::2). No other address is ever used or touched.
 */
export interface NetPair {
  server: string;
  client: string;
  destroy(): void;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

export function inNs(ns: string, command: string, ...args: string[]): string {
  return ip('netns', 'exec', ns, command, ...args);
}

export function makeNetPair(): NetPair {
  const id = randomBytes(3).toString('hex');
  const server = `bw${id}s`;
  const client = `bw${id}c`;
  const destroy = () => {
    for (const ns of [server, client]) {
      try { ip('netns', 'del', ns); } catch { /* not created */ }
    }
  };
  try {
    ip('netns', 'add', server);
    ip('netns', 'add', client);
    ip('link', 'add', `${server}0`, 'netns', server, 'type', 'veth', 'peer', 'name', `${client}0`, 'netns', client);
    for (const [ns, dev, v4, v6] of [[server, `${server}0`, '10.77.0.1/24', 'fd77::1/64'], [client, `${client}0`, '10.77.0.2/24', 'fd77::2/64']] as const) {
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
      inNs(ns, 'ip', 'addr', 'add', v4, 'dev', dev);
      inNs(ns, 'ip', 'addr', 'add', v6, 'dev', dev, 'nodad');
      inNs(ns, 'ip', 'link', 'set', dev, 'up');
    }
  } catch (error) {
    destroy();
    throw new Error(`cannot create the test network namespaces (root and iproute2 needed): ${(error as Error).message}`);
  }
  return { server, client, destroy };
}

/**
 * Three namespaces in a line, the middle one routing between the others: `client` (10.78.1.2,
 * fd78:1::2) → `router` (10.78.1.1 / 10.78.2.1, forwarding on) → `server` (10.78.2.2, fd78:2::2).
 * What the server gets from the client crosses the router's forward hook, as traffic to a Docker
 * container's published port crosses its host's.
 */
export interface RoutedTrio {
  client: string;
  router: string;
  server: string;
  destroy(): void;
}

export function makeRoutedTrio(): RoutedTrio {
  const id = randomBytes(3).toString('hex');
  const [client, router, server] = [`bw${id}c`, `bw${id}r`, `bw${id}s`];
  const destroy = () => {
    for (const ns of [client, router, server]) {
      try { ip('netns', 'del', ns); } catch { /* not created */ }
    }
  };
  try {
    for (const ns of [client, router, server]) {
      ip('netns', 'add', ns);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
      // No duplicate address detection: a link-local address still tentative would drop the first packets routed.
      inNs(ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.accept_dad=0');
    }
    // Before the links exist: turning IPv6 forwarding on resets the interfaces' state.
    inNs(router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    inNs(router, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1');
    ip('link', 'add', `${client}0`, 'netns', client, 'type', 'veth', 'peer', 'name', `${router}1`, 'netns', router);
    ip('link', 'add', `${server}0`, 'netns', server, 'type', 'veth', 'peer', 'name', `${router}2`, 'netns', router);
    const links = [
      [client, `${client}0`, '10.78.1.2/24', 'fd78:1::2/64'], [router, `${router}1`, '10.78.1.1/24', 'fd78:1::1/64'],
      [router, `${router}2`, '10.78.2.1/24', 'fd78:2::1/64'], [server, `${server}0`, '10.78.2.2/24', 'fd78:2::2/64'],
    ] as const;
    for (const [ns, dev, v4, v6] of links) {
      inNs(ns, 'ip', 'addr', 'add', v4, 'dev', dev);
      inNs(ns, 'ip', 'addr', 'add', v6, 'dev', dev, 'nodad');
      inNs(ns, 'ip', 'link', 'set', dev, 'up');
    }
    for (const [ns, v4, v6] of [[client, '10.78.1.1', 'fd78:1::1'], [server, '10.78.2.1', 'fd78:2::1']] as const) {
      inNs(ns, 'ip', 'route', 'add', 'default', 'via', v4);
      inNs(ns, 'ip', '-6', 'route', 'add', 'default', 'via', v6);
    }
  } catch (error) {
    destroy();
    throw new Error(`cannot create the test network namespaces (root and iproute2 needed): ${(error as Error).message}`);
  }
  return { client, router, server, destroy };
}

/** A TCP listener on port 8080 in the namespace that greets and closes. */
export function listen(ns: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e',
    "require('net').createServer((s) => s.on('error', () => {}).end('hi\\n')).listen(8080, '::', () => console.log('listening'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Whether a TCP connection from the namespace to host:8080 gets the greeting within a second. */
export function connects(ns: string, host: string): Promise<boolean> {
  const script = `const s = require('net').connect({ host: ${JSON.stringify(host)}, port: 8080, timeout: 1000 });
    s.on('data', () => process.exit(0)); s.on('timeout', () => process.exit(1)); s.on('error', () => process.exit(1));`;
  return new Promise((resolve) => execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', script], (error) => resolve(!error)));
}

export interface DriverReply { ok: boolean; result?: unknown; error?: string; calls: string[] }

/** A native action run in the server namespace by this file as a script, driven by JSON lines. */
export class ActionDriver {
  private readonly child: ChildProcess;
  private readonly replies: Array<(r: DriverReply) => void> = [];

  /** `env` is the action's environment (a PATH with a fake tool first); `toolTimeoutMs` its tools' timeout. */
  constructor(ns: string, kind: string, options: Record<string, string>, run: { env?: NodeJS.ProcessEnv; toolTimeoutMs?: number } = {}) {
    const args = [process.execPath, fileURLToPath(import.meta.url), 'driver', kind, JSON.stringify(options), String(run.toolTimeoutMs ?? '')];
    this.child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...run.env } });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.replies.shift()?.(JSON.parse(line) as DriverReply));
  }

  send(op: string, tickets: BanTicket[] = []): Promise<DriverReply> {
    return new Promise((resolve, reject) => {
      this.replies.push((r) => (r.ok ? resolve(r) : reject(new Error(`${op}: ${r.error}`))));
      this.child.stdin!.write(JSON.stringify({ op, tickets }) + '\n');
    });
  }

  close(): void {
    this.child.stdin!.end();
    this.child.kill();
  }

  /** Kills the driver (and the action in it) with `signal`; resolves when it is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

export function ticket(ip: string, bantime = 600): BanTicket {
  return { jail: 'test', ip, time: Math.floor(Date.now() / 1000), bantime, banCount: 1, failures: 3, matches: [] };
}

async function driver(kind: string, options: Record<string, string>, toolTimeoutMs: number | undefined): Promise<void> {
  const native = NATIVE_ACTIONS[kind];
  if (!native) throw new Error(`no native action ${kind}`);
  const can = await native.canRun(options);
  let calls: string[] = [];
  const tool = firewallRunner(toolTimeoutMs);
  const counting: Runner = (command, args, input) => {
    calls.push(`${command} ${args.join(' ')}${input ? ` <${input.split('\n').length - 1} lines>` : ''}`);
    return tool(command, args, input);
  };
  const log = createLogger({ level: 'info' });
  const action = can.ok ? native.create(options, { jail: 'test', clock: systemClock, log, configDir: '/nonexistent', jailOptions: {} }) : null;
  // The factories build the action with the real runner; the driver swaps in the counting one.
  if (action) (action as unknown as { run: Runner }).run = counting;
  for await (const line of createInterface({ input: process.stdin })) {
    const { op, tickets } = JSON.parse(line) as { op: string; tickets: BanTicket[] };
    calls = [];
    try {
      if (!action) throw new Error(`${kind} cannot run here: ${can.ok ? '' : can.reason}`);
      const result = op === 'reconcile' ? await action.reconcile(tickets)
        : op === 'ban' || op === 'unban' ? await action[op](tickets)
          : await (action[op as 'start' | 'stop' | 'check' | 'flush' | 'watching'])?.();
      process.stdout.write(JSON.stringify({ ok: true, result, calls }) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ ok: false, error: (error as Error).message, calls }) + '\n');
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'driver') {
  await driver(process.argv[3]!, JSON.parse(process.argv[4]!) as Record<string, string>, process.argv[5] ? Number(process.argv[5]) : undefined);
}
