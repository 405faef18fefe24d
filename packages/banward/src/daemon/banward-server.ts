import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { startControlServer, type ControlServer } from '../control/index.js';
import { SqliteBanStore } from '../decision/index.js';
import { readJailOptions, type JailOptions } from '../jail/index.js';
import type { Logger } from '../log/logger.js';
import { handleAppRequest, handleRequest } from './control-handlers.js';
import { readDaemonSettings, type DaemonSettings } from './daemon-settings.js';
import { buildJail, type RunningJail } from './jail-builder.js';
import { serverControl } from './server-control.js';

export interface ServerOptions {
  configDir: string;
  stateDir: string;
  socket: string;
  socketGroup?: string;
  /** The app socket (report, read bans and status; nothing else), or null for none. */
  appSocket: string | null;
  /** The group whose members (a web app's user) may use the app socket (mode 0660). */
  appSocketGroup?: string;
  log: Logger;
  clock?: Clock;
  /** How often expired bans are lifted (ms). */
  tickMs?: number;
}

/** Reads and checks the whole configuration; throws (file:line) without touching the running daemon. */
export function loadConfiguration(configDir: string): { settings: DaemonSettings; jails: JailOptions[] } {
  const settings = readDaemonSettings(configDir);
  const jails = readJailOptions(configDir).filter((j) => j.enabled);
  return { settings, jails };
}

/**
 * The long-running daemon: jails fed by log sources and reports, bans in SQLite, actions enforcing
 * them, and the control socket beside it all.
 */
export class BanwardServer {
  readonly jails = new Map<string, RunningJail>();
  readonly store: SqliteBanStore;
  private control: ControlServer | null = null;
  private appControl: ControlServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private settings: DaemonSettings;
  private stopping: Promise<void> | null = null;
  private readonly clock: Clock;
  readonly started: Promise<void>;
  private resolveStopped!: () => void;
  /** Resolves when the server has stopped (by `stop` request or signal). */
  readonly stopped = new Promise<void>((resolve) => { this.resolveStopped = resolve; });

  private constructor(readonly options: ServerOptions, config: ReturnType<typeof loadConfiguration>) {
    this.clock = options.clock ?? systemClock;
    this.settings = config.settings;
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.store = new SqliteBanStore({ path: join(options.stateDir, 'banward.sqlite3') });
    this.started = this.startAll(config.jails);
  }

  /** Starts the daemon; a configuration mistake throws before anything runs. */
  static async start(options: ServerOptions): Promise<BanwardServer> {
    const server = new BanwardServer(options, loadConfiguration(options.configDir));
    await server.started;
    return server;
  }

  get log(): Logger {
    return this.options.log;
  }

  get now(): number {
    return this.clock();
  }

  private build(options: JailOptions, settings: DaemonSettings): RunningJail {
    return buildJail(options, { configDir: this.options.configDir, store: this.store, clock: this.clock, log: this.log, lineTimeout: settings.lineTimeout });
  }

  private async startJail(running: RunningJail): Promise<void> {
    this.jails.set(running.jail.name, running);
    await running.jail.startActions();
    await running.jail.unbanExpired(this.clock());
    await running.jail.restore();
    running.jail.openMatcher();
    for (const source of running.sources) await source.start();
    this.log.notice(`Jail '${running.jail.name}' started`);
  }

  private async stopJail(running: RunningJail): Promise<void> {
    for (const source of running.sources) await source.stop();
    await running.jail.closeMatcher();
    await running.jail.settle();
    await running.jail.stopActions();
    this.jails.delete(running.jail.name);
    this.log.notice(`Jail '${running.jail.name}' stopped`);
  }

  /**
   * The sockets open before any jail reads its backlog: `ping`, `status` and reads answer during a long
   * catch-up, and commands that change things wait for the start to finish (see control-handlers).
   */
  private async startAll(jails: JailOptions[]): Promise<void> {
    const built = jails.map((j) => this.build(j, this.settings));
    for (const running of built) this.jails.set(running.jail.name, running);
    const control = serverControl(this);
    this.control = await startControlServer({
      path: this.options.socket,
      ...(this.options.socketGroup ? { group: this.options.socketGroup } : {}),
      handler: (request) => handleRequest(control, request),
      log: this.log,
    });
    const { appSocket, appSocketGroup } = this.options;
    if (appSocket !== null) {
      this.appControl = await startControlServer({
        path: appSocket,
        ...(appSocketGroup ? { group: appSocketGroup } : {}),
        handler: (request) => handleAppRequest(control, request),
        log: this.log,
      });
    }
    for (const running of built) await this.startJail(running);
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    this.log.notice(`Server ready: ${this.jails.size} jail(s), socket ${this.options.socket}${appSocket === null ? '' : `, app socket ${appSocket}`}`);
  }

  private lastReconcile = 0;

  /** Lifts expired bans, forgets old history, and now and then repairs the firewall. */
  async tick(): Promise<void> {
    const now = this.clock();
    for (const { jail } of this.jails.values()) await jail.unbanExpired(now);
    this.store.purgeHistory(now - this.settings.dbPurgeAge);
    if (now - this.lastReconcile >= this.settings.reconcileInterval) {
      this.lastReconcile = now;
      for (const { jail } of this.jails.values()) await jail.reconcile();
    }
  }

  /**
   * Applies changed configuration without unbanning anyone (bans live in the store and are re-applied
   * only to jails whose actions were rebuilt). A broken configuration is refused and the old one keeps
   * running. `restart` rebuilds jails even when unchanged; `unban` lifts their bans first.
   */
  async reload(only?: string, options: { restart?: boolean; unban?: boolean } = {}): Promise<string[]> {
    const config = loadConfiguration(this.options.configDir);
    // Build every wanted jail before touching a running one: a filter that does not compile refuses the reload.
    const built = new Map(config.jails.filter((j) => !only || j.name === only).map((j) => [j.name, this.build(j, config.settings)] as const));
    this.settings = config.settings;
    const changed = (name: string): boolean => {
      const running = this.jails.get(name);
      const next = built.get(name);
      return !running || !next || options.restart === true || running.fingerprint !== next.fingerprint;
    };
    const names = [...new Set([...this.jails.keys(), ...built.keys()])].filter((n) => (!only || n === only) && changed(n));
    const reloaded: string[] = [];
    for (const name of names) {
      const running = this.jails.get(name);
      if (running) {
        if (options.unban) for (const ban of this.store.activeBans(name)) await running.jail.unban(ban.ip);
        await this.stopJail(running);
      }
      const next = built.get(name);
      if (next) await this.startJail(next);
      reloaded.push(name);
    }
    this.log.notice(`Reloaded: ${reloaded.join(', ') || 'nothing changed'}`);
    return reloaded;
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.started.catch(() => undefined);
      this.log.notice('Shutdown in progress...');
      if (this.timer) clearInterval(this.timer);
      for (const running of [...this.jails.values()]) await this.stopJail(running);
      await this.appControl?.close();
      await this.control?.close();
      this.store.close();
      this.log.notice('Exiting banward');
      this.resolveStopped();
    })();
    return this.stopping;
  }
}
