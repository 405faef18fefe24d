import { lookup } from 'node:dns/promises';
import type { BanRecord } from '../decision/ban-store.js';
import type { BanTicket, ReconcileDepth } from '../enforcer/ban-action.js';
import { timeShiftWarning, type Failure } from '../filter/failure.js';
import { InlineMatcher, type LineMatcher, type MatchedLines, type MatchStats } from '../filter/runner/index.js';
import { BanwardError } from '../errors.js';
import { canonical, parseIp } from '../net/ip-address.js';
import type { SourceLine } from '../source/log-source.js';
import { ActionRunner, type ActionRunCount } from './_action-runner.js';
import { localTime } from './_line-time.js';
import { NO_EVENTS, type JailEventSink } from './jail-events.js';
import { banRefusal, countingKey, coveringBan } from './ban-scope.js';
import type { JailParts } from './jail-parts.js';

/** What a ban carries besides its target; `given` is a fleet node's ban, kept with that node's times. */
export interface BanDetails {
  failures?: number;
  matches?: string[];
  given?: { time: number; bantime: number; banCount: number; origin: string };
}

/**
 * One jail at run time: lines in, failures counted per id within findtime, a ban when maxretry is
 * reached. The ban is committed to the store before any action runs, so a crash between the two
 * loses nothing: the restore on the next start re-applies it. Bans found together (one batch of lines,
 * a burst) are committed in one transaction and enforced in one batch per action.
 */
export class Jail {
  totalBanned = 0;
  /** Failures not counted because the ignore list covers their id. */
  ignoredFailures = 0;
  /** Asynchronous work is chained so failures and bans of one jail happen in order. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Log files whose line times were found off the clock (warned once each). */
  private readonly shiftWarned = new Set<string>();
  private readonly matcher: LineMatcher | null;
  /** The last batch of lines being matched (batches are answered in order). */
  private matching: Promise<void> = Promise.resolve();
  /**
   * Bans decided and not yet committed: they go to the store together, at the end of the current turn,
   * their ban counts (for bantime.increment) read from the history in one query. A fleet ban brings its own.
   */
  private uncommitted = new Map<string, Omit<BanTicket, 'bantime' | 'banCount'> & { origin?: string; given?: BanDetails['given'] }>();
  private readonly actions: ActionRunner;
  private readonly events: JailEventSink;

  constructor(readonly parts: JailParts) {
    this.matcher = parts.matcher ?? (parts.filter ? new InlineMatcher(parts.filter) : null);
    this.events = parts.events ?? NO_EVENTS;
    this.actions = new ActionRunner(parts.actions, parts.log, (action, operation, message) =>
      this.events.emit({ type: 'action-error', jail: this.name, action, operation, message, time: parts.clock() }));
  }

  get name(): string {
    return this.parts.name;
  }

  /** Lines the matcher gave up on (one regex held them longer than the bound). */
  get abandonedLines(): number {
    return this.matcher?.abandoned ?? 0;
  }

  /** The matcher's counts (null for a jail fed by reports only). */
  get matchStats(): MatchStats | null {
    return this.matcher?.stats ?? null;
  }

  /** How often each action ran each operation, and failed. */
  actionRunCounts(): ActionRunCount[] {
    return this.actions.runCounts();
  }

  /**
   * Lines from a log source, matched in order; counting and banning are queued in order. Returns a
   * promise when the matcher has enough lines in flight: the source waits for it before reading more.
   */
  handleLines(lines: readonly SourceLine[]): void | Promise<void> {
    const matcher = this.matcher;
    if (!matcher) return undefined;
    const found = matcher.match(lines);
    if (!(found instanceof Promise)) {
      this.countLines(lines, found);
      return undefined;
    }
    this.matching = found.then(
      (f) => this.countLines(lines, f),
      (error: unknown) => this.parts.log.error(`matching failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    return matcher.ready();
  }

  private countLines(lines: readonly SourceLine[], found: MatchedLines): void {
    const { usedns } = this.parts;
    for (const [index, failures] of found) {
      for (const f of failures) {
        if (f.timeShift !== undefined) this.warnTimeShift(lines[index]!.origin, f.timeShift);
        if (f.nofail) continue;
        if (f.idKind === 'host' && (usedns === 'yes' || usedns === 'warn')) this.resolveFailure(f);
        else this.failure(f.id, f);
      }
    }
  }

  /** fail2ban counts a live line whose time is far off the clock as now; we say so, once per file. */
  private warnTimeShift(origin: string, shift: number): void {
    if (this.shiftWarned.has(origin)) return;
    this.shiftWarned.add(origin);
    this.parts.log.warn(timeShiftWarning(origin, shift));
  }

  /** The id failures of `ip` are counted and banned under (its IPv6 network with countprefix6). */
  countKey(ip: string): string {
    return countingKey(canonical(ip), this.parts.countprefix6 ?? 0);
  }

  /** Why a ban of `id` (address or network) must not happen (it overlaps the ignore list); null when it may. */
  banRefusal(id: string): string | null {
    return banRefusal(this.parts.ignore, id);
  }

  /** The active ban of this jail that covers `ip`: its own, or the network's it lies in (countprefix6, set banip). */
  banOf(ip: string): BanRecord | undefined {
    const id = canonical(ip);
    return coveringBan(this.parts.store, this.name, id, this.countKey(id));
  }

  /** Resolves when the lines given so far are matched, their failures counted and their bans committed. */
  async drain(): Promise<void> {
    await this.matching;
    await this.counted();
  }

  /** Starts the matcher (its worker) before the first lines arrive. */
  openMatcher(): void {
    this.matcher?.open();
  }

  /** Stops the matcher (its worker) once the lines given to it are done. */
  async closeMatcher(): Promise<void> {
    await this.drain();
    await this.matcher?.close();
  }

  /** A failure an application reports (no regex involved): its line says who reported what. */
  report(ip: string, options: { user?: string; time?: number } = {}): Promise<void> {
    const id = canonical(ip);
    const user = options.user;
    this.failure(id, {
      id,
      idKind: parseIp(id) === null ? 'other' : 'ip',
      time: options.time ?? this.parts.clock(),
      lines: [`report ${id}${user === undefined ? '' : ` user=${JSON.stringify(user)}`}`],
      captures: user === undefined ? {} : { user },
      nofail: false,
    });
    return this.counted();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queued++;
    const run = () => work().finally(() => { this.queued--; });
    const next = this.queue.then(run, run);
    this.queue = next.catch((error: unknown) => this.parts.log.error(`${error instanceof Error ? error.message : String(error)}`));
    return next;
  }

  /** Resolves when the failures queued so far are counted and their bans committed (their actions may still run). */
  async counted(): Promise<void> {
    await this.queue;
    this.commit();
  }

  /** Resolves when everything queued so far is done, actions included (lines still being matched aside). */
  async settle(): Promise<void> {
    await this.counted();
    await this.actions.idle();
  }

  /** fail2ban's usedns: a host name in a log line counts against each address it resolves to. */
  private resolveFailure(failure: Failure): void {
    const name = failure.id;
    const { log, usedns } = this.parts;
    const resolve = this.parts.resolve ?? (async (n: string) => (await lookup(n, { all: true })).map((a) => a.address));
    void this.enqueue(async () => {
      let addresses: string[] = [];
      try {
        addresses = await resolve(name);
      } catch {
        addresses = [];
      }
      if (usedns === 'warn') log.warn(`Determined IP using DNS Lookup: ${name} = ${JSON.stringify(addresses)}`);
      if (addresses.length === 0) log.warn(`Unable to find a corresponding IP address for ${name}: no failure counted`);
      for (const address of addresses) {
        const id = canonical(address);
        this.count(id, failure, await this.parts.ignore.isIgnored(id));
      }
    });
  }

  /**
   * Counts a failure against `id` (its own, or an address its host name resolved to). With a static
   * ignore list and nothing queued it all happens now (no promise per line); otherwise it waits its turn
   * behind the ignore list's lookups.
   */
  private failure(id: string, failure: Failure): void {
    const { ignore } = this.parts;
    if (ignore.isStatic && this.queued === 0) this.count(id, failure, ignore.matchStatic(id));
    else void this.enqueue(async () => this.count(id, failure, await ignore.isIgnored(id)));
  }

  /** A ban carries the lines the counter kept for the id (up to maxmatches, oldest first), as fail2ban's ticket. */
  private count(id: string, failure: Failure, ignored: { ignored: boolean; source?: string }): void {
    const { failures, log, maxretry } = this.parts;
    if (ignored.ignored) {
      this.ignoredFailures++;
      log.info(`Ignore ${id} by ${ignored.source ?? 'ignore list'}`);
      return;
    }
    if (log.enabled('info')) log.info(`Found ${id} - ${localTime(failure.time)}`);
    // `id` is canonical already (the filter's policy, or canonical() above): countKey would parse it again.
    const key = countingKey(id, this.parts.countprefix6 ?? 0);
    const count = failures.add(key, failure.time, failure.lines);
    if (this.events.wantsFound) this.events.emit({ type: 'found', jail: this.name, ip: id, time: failure.time, lines: failure.lines });
    if (count >= maxretry) {
      const matches = failures.reset(key);
      const refusal = key === id ? null : this.banRefusal(key);
      if (refusal) log.warn(`Not banning ${key}: it overlaps ${refusal}; banning ${id} alone`);
      this.record(refusal ? id : key, { failures: count, matches, data: failure.captures });
    }
  }

  /**
   * Bans an address or network (by hand, or a fleet node's ban with its own times and `origin`). False
   * when it was banned already; BANWARD_ERR_BAN_REFUSED when it may not be.
   */
  async ban(ip: string, details: BanDetails = {}): Promise<boolean> {
    const id = canonical(ip);
    const refusal = this.banRefusal(id);
    if (refusal) throw new BanwardError('BANWARD_ERR_BAN_REFUSED', `[${this.name}] ${id} is not banned: it overlaps ${refusal}, never banned`);
    const banned = this.record(id, details);
    await this.settle();
    return banned;
  }

  /** Decides the ban now; it is committed to the store at the end of the turn, its actions run in turn. The one way into the store: the ignore rule is kept here. */
  private record(id: string, details: BanDetails & { data?: Failure['captures'] }): boolean {
    const { store, log, clock } = this.parts;
    const refusal = this.banRefusal(id);
    if (refusal) {
      log.warn(`Not banning ${id}: it overlaps ${refusal}, never banned`);
      return false;
    }
    if (this.uncommitted.has(id) || store.getBan(this.name, id)) {
      log.notice(`${id} already banned`);
      return false;
    }
    const { given } = details;
    if (this.uncommitted.size === 0) queueMicrotask(() => this.commit());
    this.uncommitted.set(id, {
      jail: this.name,
      ip: id,
      time: given?.time ?? clock(),
      matches: details.matches ?? [],
      failures: details.failures ?? 0,
      ...(given ? { given, origin: given.origin } : {}),
      ...(details.data ? { data: details.data } : {}),
    });
    this.totalBanned++;
    return true;
  }

  /** Writes the decided bans in one transaction, then hands them to the actions as one batch. */
  private commit(): void {
    if (this.uncommitted.size === 0) return;
    const { store, baseBantime, overallJails } = this.parts;
    const decided = [...this.uncommitted.values()];
    this.uncommitted = new Map();
    const counts = store.banCounts(decided.filter((d) => !d.given).map((d) => d.ip), overallJails ? undefined : this.name);
    // Built field by field: a rest pattern (`{ given, ...ticket }`) copies through a slow runtime path, per ban.
    const tickets = decided.map(({ jail, ip, time, matches, failures, given, origin, data }) => {
      const previous = given ? given.banCount - 1 : counts.get(ip) ?? 0;
      const bantime = given?.bantime ?? this.parts.bantime.nextBantime({ base: baseBantime, banCount: previous });
      return { jail, ip, time, bantime, banCount: previous + 1, matches, failures, ...(origin === undefined ? {} : { origin }), ...(data ? { data } : {}) };
    });
    store.addBans(tickets.map(({ jail, ip, time, bantime, banCount, matches, origin }) => ({
      jail, ip, time, bantime, banCount, matches: [...matches], ...(origin === undefined ? {} : { origin }),
    })));
    // Logged once committed: a `Ban` line in the log is a ban a crash cannot lose.
    for (const t of tickets) {
      this.parts.log.notice(`Ban ${t.ip}${t.origin === undefined ? '' : ` (fleet: ${t.origin})`}`);
      this.events.emit({
        type: 'ban', jail: this.name, ip: t.ip, time: t.time, bantime: t.bantime, banCount: t.banCount, failures: t.failures,
        ...(t.origin === undefined ? {} : { origin: t.origin }),
      });
    }
    this.actions.ban(tickets);
  }

  /** Lifts the ban that covers `ip`; `origin` names the fleet node that lifted it (absent: lifted here). */
  async unban(ip: string, origin?: string): Promise<boolean> {
    this.commit();
    const { store, log } = this.parts;
    const record = this.banOf(ip);
    if (!record || !store.removeBan(this.name, record.ip)) return false;
    log.notice(`Unban ${record.ip}${origin === undefined ? '' : ` (fleet: ${origin})`}`);
    this.events.emit({ type: 'unban', jail: this.name, ip: record.ip, time: this.parts.clock(), reason: 'lifted', ...(origin === undefined ? {} : { origin }) });
    await this.actions.unban([{ ...record, failures: 0 }]);
    return true;
  }

  /** Lifts the bans whose time is up: one transaction, one batch per action. */
  async unbanExpired(now: number): Promise<number> {
    const { store, log, failures } = this.parts;
    const expired = store.expiredBans(now).filter((b) => b.jail === this.name);
    const lifted = new Set(expired.length ? store.removeBans(this.name, expired.map((b) => b.ip)) : []);
    const tickets = expired.filter((b) => lifted.has(b.ip)).map((b) => ({ ...b, failures: 0 }));
    for (const t of tickets) {
      log.notice(`Unban ${t.ip}`);
      this.events.emit({ type: 'unban', jail: this.name, ip: t.ip, time: now, reason: 'expired' });
    }
    if (tickets.length) await this.actions.unban(tickets);
    failures.cleanup(now);
    return tickets.length;
  }

  /** Re-applies the stored bans (after a start or a restart of the actions), in one batch per action. */
  async restore(): Promise<number> {
    const active = this.parts.store.activeBans(this.name).filter((b) => {
      const refusal = this.banRefusal(b.ip);
      if (refusal) {
        this.parts.log.warn(`Dropping the stored ban of ${b.ip}: it overlaps ${refusal}, never banned`);
        this.parts.store.removeBan(this.name, b.ip);
      }
      return !refusal;
    });
    if (active.length) this.parts.log.notice(`Restore ${active.length} ban(s)`);
    await this.actions.restore(active.map((b) => ({ ...b, failures: 0, restored: true })));
    return active.length;
  }

  /**
   * Repairs enforcement that drifted from the store (run periodically), as far as `depth` says (an
   * action whose check passes, its table, sets and rules there, is otherwise left alone).
   */
  reconcile(depth: ReconcileDepth = 'compare-all'): Promise<void> {
    return this.actions.reconcile(() => this.parts.store.activeBans(this.name).map((b) => ({ ...b, failures: 0 })), depth);
  }

  startActions(): Promise<void> {
    return this.actions.start();
  }

  stopActions(): Promise<void> {
    return this.actions.stop();
  }
}
