import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { startControlServer, type ControlServer } from '../control/index.js';
import { combineProblems, compileConfiguration, dryRun, type CompiledConfiguration, type JailSpec } from '../compile/index.js';
import { SqliteBanStore } from '../decision/index.js';
import type { FleetNode } from '../fleet/index.js';
import type { HttpServer, HttpSettings } from '../http/index.js';
import type { Logger } from '../log/logger.js';
import type { ReconcileDepth } from '../enforcer/ban-action.js';
import type { MetricsSource } from '../metrics/index.js';
import { clearToolChecks } from '../process/index.js';
import { describeWarning } from '../warnings.js';
import { ActivityRecorder } from './activity-recorder.js';
import { handleAppRequest, handleRequest } from './control-handlers.js';
import type { DaemonSettings, SettingsOverrides } from './daemon-settings.js';
import { EventHub } from './event-hub.js';
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
  /** Every jail logs its bans instead of running its actions (`--dry-run`), at start and at every reload. */
  dryRun?: boolean;
  /** What the command line changes in banward.conf's settings (`--http`). */
  overrides?: SettingsOverrides;
}

/** Seconds between purges of old ban history. */
const PURGE_INTERVAL = 60;
/** Seconds between writes of the dashboard's activity counters. */
const ACTIVITY_FLUSH_INTERVAL = 5;
/** Every this many reconcile intervals the firewall's elements are compared with the store (else its structure only). */
const REPAIR_ROUNDS = 10;
/** Seconds between comparisons of every element of actions that see outside changes as they happen. */
const WATCHED_REPAIR_INTERVAL = 3600;

/** Compiles the whole configuration; throws every problem (file:line) without touching the running daemon. */
export async function loadConfiguration(configDir: string, options: { dryRun?: boolean; overrides?: SettingsOverrides } = {}): Promise<CompiledConfiguration> {
  const config = await compileConfiguration(configDir, options.overrides ?? {});
  if (config.problems.length > 0) throw combineProblems(config.problems);
  return options.dryRun ? dryRun(config) : config;
}

/**
 * The long-running daemon: jails fed by log sources and reports, bans in SQLite, actions enforcing
 * them, and the control socket beside it all.
 */
export class BanwardServer {
  readonly jails = new Map<string, RunningJail>();
  readonly store: SqliteBanStore;
  readonly events: EventHub;
  /** This node's part in a fleet ([fleet] in banward.conf); null when it is none's. */
  fleet: FleetNode | null = null;
  /**
   * What `GET /metrics` serves, built with the HTTP API: at start before any jail runs, so it counts
   * from the start; when a reload turns the API on, from then. Fastify, prom-client and ioredis are
   * loaded only by a daemon that uses them (each costs start-up time and resident memory).
   */
  metrics: (MetricsSource & { close(): void }) | null = null;
  private control: ControlServer | null = null;
  private appControl: ControlServer | null = null;
  private http: HttpServer | null = null;
  /** Counts failures and bans for the dashboard; only while the HTTP API is on. */
  private activity: ActivityRecorder | null = null;
  private lastActivityFlush = 0;
  private timer: NodeJS.Timeout | null = null;
  private settings: DaemonSettings;
  private stopping: Promise<void> | null = null;
  private readonly clock: Clock;
  readonly started: Promise<void>;
  private resolveStopped!: () => void;
  /** Resolves when the server has stopped (by `stop` request or signal). */
  readonly stopped = new Promise<void>((resolve) => { this.resolveStopped = resolve; });

  private constructor(readonly options: ServerOptions, config: CompiledConfiguration) {
    this.clock = options.clock ?? systemClock;
    this.settings = config.settings;
    this.events = new EventHub(options.log);
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.store = new SqliteBanStore({ path: join(options.stateDir, 'banward.sqlite3') });
    this.started = this.startAll(config);
  }

  private static loadOptions(options: ServerOptions): { dryRun: boolean; overrides: SettingsOverrides } {
    return { dryRun: options.dryRun ?? false, overrides: options.overrides ?? {} };
  }

  /** Starts the daemon; a configuration mistake throws before anything runs. */
  static async start(options: ServerOptions): Promise<BanwardServer> {
    const server = new BanwardServer(options, await loadConfiguration(options.configDir, BanwardServer.loadOptions(options)));
    await server.started;
    return server;
  }

  get log(): Logger {
    return this.options.log;
  }

  get now(): number {
    return this.clock();
  }

  private build(spec: JailSpec): RunningJail {
    return buildJail(spec, { configDir: this.options.configDir, store: this.store, clock: this.clock, log: this.log, events: this.events });
  }

  private warn(config: CompiledConfiguration): void {
    for (const warning of config.warnings) this.log.warn(describeWarning(warning));
  }

  private async startJail(running: RunningJail): Promise<void> {
    this.jails.set(running.jail.name, running);
    const log = this.log.child(running.jail.name);
    for (const notice of running.spec.notices) log.notice(notice);
    for (const warning of running.spec.warnings) log.warn(warning);
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
  private async startAll(config: CompiledConfiguration): Promise<void> {
    this.warn(config);
    const built = config.jails.map((j) => this.build(j));
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
    await this.startHttp(config.settings.http);
    // Before the jails start: the bans of their backlog go to the fleet too.
    const fleet = config.settings.fleet;
    if (fleet) this.fleet = new (await import('../fleet/index.js')).FleetNode(control, fleet, { stateDir: this.options.stateDir, clock: this.clock, log: this.log });
    for (const running of built) await this.startJail(running);
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    this.log.notice(`Server ready: ${this.jails.size} jail(s), socket ${this.options.socket}${appSocket === null ? '' : `, app socket ${appSocket}`}${this.http ? `, HTTP ${this.http.address}` : ''}`);
  }

  /** The HTTP API (after the control sockets: it speaks to the same control); off when `settings` is null. */
  private async startHttp(settings: HttpSettings | null): Promise<void> {
    if (settings === null) return;
    if (!this.activity) {
      const recorder = this.activity = new ActivityRecorder();
      this.events.subscribe((event) => recorder.record(event));
    }
    const { createMetrics } = await import('../metrics/index.js');
    this.metrics ??= createMetrics(serverControl(this));
    const { startHttpServer } = await import('../http/index.js');
    this.http = await startHttpServer({
      control: serverControl(this), settings, clock: this.clock, log: this.log,
      metrics: this.metrics,
    });
  }

  private async stopHttp(): Promise<void> {
    await this.http?.close();
    this.http = null;
  }

  private flushActivity(): void {
    if (this.activity) this.store.activity.add(this.activity.take());
  }

  private lastReconcile = 0;
  private lastRepair = 0;
  private lastWatchedRepair = 0;
  private lastPurge = 0;

  /**
   * Lifts expired bans; once a minute forgets old history; every reconcileinterval checks that each
   * firewall still has its table, sets and rules (cheap: no elements are listed, nothing at all while
   * nft's monitor vouches for them) and repairs what is gone; every REPAIR_ROUNDS intervals compares
   * every element with the store, both ways — hourly for the firewalls the monitor watches.
   */
  async tick(): Promise<void> {
    const now = this.clock();
    for (const { jail } of this.jails.values()) await jail.unbanExpired(now);
    if (now - this.lastPurge >= PURGE_INTERVAL) {
      this.lastPurge = now;
      this.store.purgeHistory(now - this.settings.dbPurgeAge);
      this.store.activity.purge(now - this.settings.dbPurgeAge);
    }
    if (now - this.lastActivityFlush >= ACTIVITY_FLUSH_INTERVAL) {
      this.lastActivityFlush = now;
      this.flushActivity();
    }
    if (now - this.lastReconcile >= this.settings.reconcileInterval) {
      this.lastReconcile = now;
      let depth: ReconcileDepth = 'check';
      if (now - this.lastRepair >= this.settings.reconcileInterval * REPAIR_ROUNDS) {
        this.lastRepair = now;
        depth = 'compare-unwatched';
      }
      if (now - this.lastWatchedRepair >= Math.max(WATCHED_REPAIR_INTERVAL, this.settings.reconcileInterval * REPAIR_ROUNDS)) {
        this.lastWatchedRepair = now;
        depth = 'compare-all';
      }
      for (const { jail } of this.jails.values()) await jail.reconcile(depth);
    }
  }

  /**
   * Applies changed configuration without unbanning anyone (bans live in the store and are re-applied
   * only to jails whose actions were rebuilt). A configuration with problems is refused before any jail
   * is touched; a jail that fails to start (its actionstart fails) is put back as it was, with every jail
   * this reload had already replaced, and the reload is refused. `restart` rebuilds jails even when
   * unchanged; `unban` lifts their bans first.
   */
  async reload(only?: string, options: { restart?: boolean; unban?: boolean } = {}): Promise<string[]> {
    // A tool installed (or removed) since the last start is seen by this reload's jails.
    clearToolChecks();
    const config = await loadConfiguration(this.options.configDir, BanwardServer.loadOptions(this.options)).catch((error: unknown) => {
      this.refused(error);
      throw error;
    });
    const wanted = new Map(config.jails.filter((j) => !only || j.name === only).map((j) => [j.name, j] as const));
    const changed = (name: string): boolean => {
      const running = this.jails.get(name);
      const next = wanted.get(name);
      return !running || !next || options.restart === true || running.fingerprint !== next.fingerprint;
    };
    const names = [...new Set([...this.jails.keys(), ...wanted.keys()])].filter((n) => (!only || n === only) && changed(n));
    this.warn(config);
    const replaced: { name: string; old: JailSpec | undefined }[] = [];
    try {
      for (const name of names) {
        const running = this.jails.get(name);
        replaced.push({ name, old: running?.spec });
        if (running) {
          if (options.unban) for (const ban of this.store.activeBans(name)) await running.jail.unban(ban.ip);
          await this.stopJail(running);
        }
        const next = wanted.get(name);
        if (next) await this.startJail(this.build(next));
      }
    } catch (error) {
      await this.rollBack(replaced);
      this.refused(error);
      throw error;
    }
    const httpChanged = JSON.stringify(config.settings.http) !== JSON.stringify(this.settings.http);
    if (JSON.stringify(config.settings.fleet) !== JSON.stringify(this.settings.fleet)) this.log.warn('[fleet] changed: it applies when the daemon restarts');
    this.settings = config.settings;
    if (httpChanged) await this.restartHttp(config.settings.http);
    this.log.notice(`Reloaded: ${names.join(', ') || 'nothing changed'}`);
    this.events.emit({ type: 'reload', jails: names, time: this.clock() });
    return names;
  }

  /** New [http] settings: the server restarts with them; one that cannot listen leaves the API off, logged. */
  private async restartHttp(settings: HttpSettings | null): Promise<void> {
    await this.stopHttp();
    await this.startHttp(settings).catch((error: unknown) => {
      this.log.error(`HTTP API off after reload: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private refused(error: unknown): void {
    this.events.emit({ type: 'reload-refused', message: error instanceof Error ? error.message : String(error), time: this.clock() });
  }

  /** Puts the jails a failed reload replaced back as they were, newest first. */
  private async rollBack(replaced: readonly { name: string; old: JailSpec | undefined }[]): Promise<void> {
    for (const { name, old } of [...replaced].reverse()) {
      const current = this.jails.get(name);
      if (current && current.spec !== old) await this.stopJail(current).catch((e: unknown) => this.log.error(`rolling back ${name}: ${String(e)}`));
      if (old && this.jails.get(name)?.spec !== old) await this.startJail(this.build(old));
    }
    this.log.warn(`Reload refused: ${replaced.map((r) => r.name).join(', ')} put back as they were`);
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.started.catch(() => undefined);
      this.log.notice('Shutdown in progress...');
      if (this.timer) clearInterval(this.timer);
      await this.stopHttp();
      for (const running of [...this.jails.values()]) await this.stopJail(running);
      this.flushActivity();
      await this.fleet?.stop();
      await this.appControl?.close();
      await this.control?.close();
      this.metrics?.close();
      this.store.close();
      this.log.notice('Exiting banward');
      this.resolveStopped();
    })();
    return this.stopping;
  }
}
