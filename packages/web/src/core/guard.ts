import { resolveClientIp, type ConnInfo } from './client-ip.js';
import { DaemonBans } from './daemon-bans.js';
import { ipKey, rangesOverlap } from './ip.js';
import { formatFailureLine } from './log-line.js';
import { ipOfKey, keyHasUsername, lockoutKeys } from './lockout.js';
import { MemoryLockoutStore } from './memory-store.js';
import { resolveOptions, type BanwardWebOptions, type ResolvedOptions } from './options.js';
import { buildRefusal, type Refusal, type RefusalReason } from './refusal.js';
import { ruleMatches, type ResponseInfo } from './rules.js';
import { SocketReporter, type Report, type ReporterStats } from './socket-reporter.js';

/** What an adapter tells the core about a request as it arrives. */
export interface RequestStart {
  ip: string | null;
  method: string;
  route: string;
  /** Known up front only when the adapter can read it (e.g. a parsed body); fail() can name it later. */
  username?: string | undefined;
}

/** One request's view of the guard, created by `Guard.begin`. A request counts as one failure at most. */
export interface Attempt {
  readonly ip: string | null;
  /** Seconds the client must wait (for Retry-After), or 0 when the request may go on. */
  readonly retryAfter: number;
  /** Set when the request must not reach the app: the adapter sends this answer instead. */
  readonly refusal: Refusal | null;
  /** Records a failed login; resolves to the Retry-After seconds if this failure locked the client, else 0. */
  fail(details?: { username?: string }): Promise<number>;
  /** Records a successful login: the counters by user name are reset (not the address's); rules do not count it. */
  succeed(details?: { username?: string }): void;
  /** Called by the adapter when the response is finished: rules and the predicate decide on a failure. */
  end(status: number, req: unknown, res: unknown): void;
}

export interface Guard {
  readonly options: ResolvedOptions;
  clientIp(conn: ConnInfo): string | null;
  begin(start: RequestStart): Attempt;
  /** Whether rules or `failWhen` judge finished responses; when not, adapters need not watch for the end. */
  readonly judgesResponses: boolean;
  readonly reporterStats: Readonly<ReporterStats> | null;
  /** Resolves once the daemon's bans have been read the first time (at once when not following the daemon). */
  readonly ready: Promise<void>;
  /** Sends queued reports (one attempt each) and reads the daemon's bans again. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const MAX_USERNAME = 256;

/** User names come from the client: bounded, and without NUL (the key separator). */
function cleanUsername(username: unknown): string | undefined {
  if (typeof username !== 'string' || username === '') return undefined;
  return username.replace(/\0/g, '').slice(0, MAX_USERNAME);
}

function restricted(opts: ResolvedOptions, ip: string | null, route: string): boolean {
  for (const { path, allow } of opts.restrict) {
    const covers = typeof path === 'string' ? route === path || route.startsWith(path.endsWith('/') ? path : `${path}/`) : path.test(route);
    if (covers && (ip === null || !allow(ip, 0))) return true;
  }
  return false;
}

/** The framework-free core: every adapter builds one guard from the user's options and drives it. */
export function createGuard(options?: BanwardWebOptions): Guard {
  const opts = resolveOptions(options);
  const lockout = opts.lockout;
  const store = lockout && (lockout.store ?? new MemoryLockoutStore({ maxKeys: lockout.maxKeys }));
  // An address whose failure reached the app's limit while the daemon decides it: locked from that moment
  // until the daemon has answered the report of that failure (it then holds the ban, or says there is none),
  // so the batching delay is not a window for more guesses.
  const awaitingVerdict = new Map<string, { report: Report; until: number }>();
  const daemon = lockout?.followDaemon && opts.socket !== null && opts.jail !== null
    ? new DaemonBans({
      socketPath: opts.socket, jail: opts.jail, syncMs: lockout.syncMs, timeoutMs: opts.reporter.timeoutMs, clock: opts.clock,
      onUnban: (unbanned) => {
        for (const ip of awaitingVerdict.keys()) if (rangesOverlap(ip, unbanned)) awaitingVerdict.delete(ip);
        void store?.unlock((key) => {
          const counted = ipOfKey(key);
          return counted !== null && rangesOverlap(counted, unbanned);
        });
      },
    })
    : null;
  const reporter = opts.socket === null || opts.jail === null ? null : new SocketReporter({
    socketPath: opts.socket, jail: opts.jail, ...opts.reporter,
    ...(daemon ? {
      onAccepted: (report, result) => {
        daemon.noteReportResult(result);
        if (awaitingVerdict.get(report.ip)?.report === report) awaitingVerdict.delete(report.ip);
      },
    } : {}),
  });

  const keysOf = (ip: string | null, username: string | undefined) =>
    lockout ? lockoutKeys(lockout.combinations, ip === null ? null : ipKey(ip, opts.ipv6Prefix), username) : [];
  // While the daemon answers, it alone decides an address's lock (one decision for app and firewall). Not an
  // IPv6 network's: the daemon may count per address, and a client rotating through its /64 would go uncounted.
  const daemonDecides = (key: string) => daemon !== null && daemon.reachable && !key.includes('\u0000') && key.startsWith('ip=') && !key.includes('/');
  const allowlisted = (ip: string | null) => ip !== null && opts.allowlist !== null && opts.allowlist(ip, 0);

  function lockedFor(ip: string | null, username: string | undefined, now: number): number {
    if (!store || allowlisted(ip)) return 0;
    let locked = daemon && ip !== null ? Math.max(daemon.bannedFor(ip, now), (awaitingVerdict.get(ip)?.until ?? 0) - now) : 0;
    for (const key of keysOf(ip, username)) if (!daemonDecides(key)) locked = Math.max(locked, store.lockedFor(key, now));
    return locked;
  }

  async function recordFailure(start: RequestStart, username: string | undefined): Promise<number> {
    if (allowlisted(start.ip)) return 0;
    const now = opts.clock();
    const report = start.ip === null ? null : { ip: start.ip, username, time: now / 1000 };
    if (report) {
      opts.log?.(formatFailureLine(now, report.ip, username, start.route));
      reporter?.enqueue(report);
    }
    if (!store || !lockout) return 0;
    const locks = await Promise.all(keysOf(start.ip, username).map(async (key) => {
      const ms = await store.fail(key, now, lockout);
      if (ms > 0 && report && daemonDecides(key)) awaitingVerdict.set(report.ip, { report, until: now + ms });
      return ms;
    }));
    return Math.ceil(Math.max(0, ...locks) / 1000);
  }

  function refuse(reason: RefusalReason, start: RequestStart, retryAfter: number): Refusal {
    return buildRefusal({ reason, ip: start.ip, route: start.route, retryAfter }, opts.lockedResponse);
  }

  function begin(start: RequestStart): Attempt {
    const username = cleanUsername(start.username);
    const retryAfter = Math.ceil(lockedFor(start.ip, username, opts.clock()) / 1000);
    let refusal: Refusal | null = null;
    if (restricted(opts, start.ip, start.route)) refusal = refuse('forbidden', start, 0);
    else if (retryAfter > 0) refusal = refuse('locked', start, retryAfter);
    // An unknown client (a trusted proxy passed on something that is not an address) cannot be counted.
    else if (opts.failClosed && start.ip === null) refusal = refuse('unavailable', start, 0);
    else if (opts.failClosed && ((store && !store.available) || (daemon && !daemon.reachable))) {
      refusal = refuse('unavailable', start, Math.ceil((lockout?.syncMs ?? 1000) / 1000));
    }
    let decided = refusal !== null;
    return {
      ip: start.ip,
      retryAfter,
      refusal,
      fail(details) {
        if (decided) return Promise.resolve(0);
        decided = true;
        return recordFailure(start, cleanUsername(details?.username) ?? username);
      },
      succeed(details) {
        if (decided) return;
        decided = true;
        const now = opts.clock();
        const name = cleanUsername(details?.username) ?? username;
        // Only counters that hold the user name: an address's count survives, or an attacker with an account
        // of their own would sign in after every few guesses at others and never be locked.
        for (const key of keysOf(start.ip, name)) if (keyHasUsername(key)) void store?.reset(key, now);
      },
      end(status, req, res) {
        if (decided) return;
        const info: ResponseInfo = { ip: start.ip, method: start.method, route: start.route, status, req, res };
        if (opts.rules.some((r) => ruleMatches(r, info)) || opts.failWhen?.(info) === true) {
          decided = true;
          void recordFailure(start, username);
        }
      },
    };
  }

  return Object.freeze({
    options: opts,
    clientIp: (conn: ConnInfo) => resolveClientIp(conn, opts.trust),
    begin,
    judgesResponses: opts.rules.length > 0 || opts.failWhen !== null,
    get reporterStats() { return reporter?.stats ?? null; },
    ready: daemon?.ready ?? Promise.resolve(),
    flush: async () => {
      await reporter?.flush();
      await daemon?.sync();
    },
    close: async () => {
      await reporter?.close();
      await daemon?.close();
      await store?.close();
    },
  });
}

/** The path of a request URL without its query string, for rules and the log line. */
export function routeOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}
