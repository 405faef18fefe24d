import { resolveClientIp, type ConnInfo } from './client-ip.js';
import { ipKey } from './ip.js';
import { formatFailureLine } from './log-line.js';
import { lockoutKeys, MemoryLockoutStore } from './lockout.js';
import { resolveOptions, type BanwardWebOptions, type ResolvedOptions } from './options.js';
import { buildRefusal, type Refusal } from './refusal.js';
import { ruleMatches, type ResponseInfo } from './rules.js';
import { SocketReporter, type ReporterStats } from './socket-reporter.js';

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
  /** Records a failed login now; returns the Retry-After seconds if this failure locked the client, else 0. */
  fail(details?: { username?: string }): number;
  /** Records a successful login: the client's failure counters are reset, rules do not count this request. */
  succeed(details?: { username?: string }): void;
  /** Called by the adapter when the response is finished: rules and the predicate decide on a failure. */
  end(status: number, req: unknown, res: unknown): void;
}

export interface Guard {
  readonly options: ResolvedOptions;
  clientIp(conn: ConnInfo): string | null;
  begin(start: RequestStart): Attempt;
  readonly reporterStats: Readonly<ReporterStats> | null;
  /** Sends queued reports (one attempt each). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The framework-free core: every adapter builds one guard from the user's options and drives it. */
export function createGuard(options?: BanwardWebOptions): Guard {
  const opts = resolveOptions(options);
  const store = opts.lockout && new MemoryLockoutStore(opts.lockout, opts.lockout.maxKeys);
  const reporter = opts.socket === null || opts.jail === null ? null : new SocketReporter({
    socketPath: opts.socket, jail: opts.jail, ...opts.reporter,
  });

  const keysOf = (ip: string | null, username: string | undefined) =>
    opts.lockout ? lockoutKeys(opts.lockout.by, ip === null ? null : ipKey(ip, opts.ipv6Prefix), username) : [];

  const lockedFor = (keys: string[], now: number) =>
    store ? Math.max(0, ...keys.map((k) => store.lockedFor(k, now))) : 0;

  function recordFailure(start: RequestStart, username: string | undefined): number {
    const now = opts.clock();
    if (start.ip !== null) {
      opts.log?.(formatFailureLine(now, start.ip, username, start.route));
      reporter?.enqueue({ ip: start.ip, username, time: now / 1000 });
    }
    if (!store) return 0;
    const locked = Math.max(0, ...keysOf(start.ip, username).map((k) => store.fail(k, now)));
    return Math.ceil(locked / 1000);
  }

  function begin(start: RequestStart): Attempt {
    const retryAfter = Math.ceil(lockedFor(keysOf(start.ip, start.username), opts.clock()) / 1000);
    let decided = false;
    const refusal = retryAfter > 0
      ? buildRefusal({ reason: 'locked', ip: start.ip, route: start.route, retryAfter }, opts.lockedResponse)
      : null;
    return {
      ip: start.ip,
      retryAfter,
      refusal,
      fail(details) {
        if (decided) return 0;
        decided = true;
        return recordFailure(start, details?.username ?? start.username);
      },
      succeed(details) {
        if (decided) return;
        decided = true;
        if (!store) return;
        const now = opts.clock();
        for (const key of keysOf(start.ip, details?.username ?? start.username)) store.reset(key, now);
      },
      end(status, req, res) {
        if (decided || retryAfter > 0) return;
        const info: ResponseInfo = { ip: start.ip, method: start.method, route: start.route, status, req, res };
        if (opts.rules.some((r) => ruleMatches(r, info)) || opts.failWhen?.(info) === true) {
          decided = true;
          recordFailure(start, start.username);
        }
      },
    };
  }

  return Object.freeze({
    options: opts,
    clientIp: (conn: ConnInfo) => resolveClientIp(conn, opts.trust),
    begin,
    get reporterStats() { return reporter?.stats ?? null; },
    flush: async () => { await reporter?.flush(); },
    close: async () => { await reporter?.close(); },
  });
}

/** The path of a request URL without its query string, for rules and the log line. */
export function routeOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}
