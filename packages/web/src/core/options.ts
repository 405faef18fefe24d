import { BanwardWebError, warnOnce } from './errors.js';
import { compileTrust, type TrustFn } from './client-ip.js';
import { normalizeCombinations, type LockoutCombination, type LockoutDimension, type LockoutPolicy, type LockoutStore } from './lockout.js';
import type { RefusalInfo, RefusalResponse } from './refusal.js';
import { compileRule, type CompiledRule, type FailureRule, type ResponseInfo } from './rules.js';

/** The daemon's app socket: reports and reads only, never unban or stop (docs/protocol.md). */
export const DEFAULT_SOCKET = '/run/banward/app.sock';

export type LogSink = ((line: string) => void) | { write(chunk: string): unknown };

export interface LockoutOptions {
  /**
   * The counters a failure feeds; a request is refused when any of its keys is locked (OR). A nested list
   * is one counter for the dimensions together (AND): `['ip', ['ip', 'username']]`. Default `['ip']`.
   */
  by?: readonly LockoutCombination[];
  maxFailures?: number;
  windowSeconds?: number;
  durationSeconds?: number;
  /** Progressive cool-off: each further lock of a key lasts this many times longer. Default 1 (no growth). */
  factor?: number;
  /** The longest a progressive lock may last. Default 86400 (one day). */
  maxDurationSeconds?: number;
  /** How long a key's earlier locks count for the progressive cool-off. Default 86400. */
  historySeconds?: number;
  /** Where the counters live: a `RedisLockoutStore` for several instances. Default in memory. */
  store?: LockoutStore;
  /** Keys kept by the default in-memory store at most; the least recently touched is forgotten first. */
  maxKeys?: number;
  /**
   * With `jail` set: the daemon's bans in that jail lock the app too, and an address's app lock is decided by
   * the daemon while it is reachable (`banward unban` frees both). Default true when reporting to a socket.
   */
  followDaemon?: boolean;
  /** How often the daemon's bans are read again. Default 2. */
  syncSeconds?: number;
}

export interface BanwardWebOptions {
  /** The daemon's jail the failures are reported to; setting it turns socket reporting on. */
  jail?: string;
  /** The daemon's app socket, or false for no socket reporting. Default /run/banward/app.sock when `jail` is set. */
  socket?: string | false;
  /** Proxies whose X-Forwarded-For is believed: addresses, CIDRs, `loopback`, `linklocal`, `uniquelocal`. */
  trustProxy?: false | true | string | readonly string[];
  /** Needed with `trustProxy: true`, which lets any client choose its address. */
  forceTrustAll?: boolean;
  /** IPv6 clients are counted by this network prefix. Default 64. */
  ipv6Prefix?: number;
  rules?: readonly FailureRule[];
  /** A failure the status alone does not show, e.g. a login form answered again with 200. */
  failWhen?: (info: ResponseInfo) => boolean;
  lockout?: false | LockoutOptions;
  /** Where the `banward-web` log lines go, one call per line (streams get a trailing newline). */
  log?: LogSink | false;
  reporter?: { maxQueue?: number; batchDelayMs?: number; timeoutMs?: number };
  /** Changes the answer to a refused request (status, headers, body); default 429/403/503 in plain text. */
  lockedResponse?: (info: RefusalInfo) => RefusalResponse | undefined;
  /** Addresses and CIDRs that are never locked out, counted or reported. */
  allowlist?: readonly string[];
  /** Paths only some addresses may reach, e.g. `{ path: '/admin', allow: ['10.0.0.0/8'] }`; others get 403. */
  restrict?: readonly RouteRestriction[];
  /**
   * Refuse requests (503) while the lockout store or the followed daemon cannot be reached, and those whose
   * client is unknown (a trusted proxy's X-Forwarded-For entry is not an address). Default false.
   */
  failClosed?: boolean;
  /** Epoch milliseconds; injected in tests. Default Date.now. */
  clock?: () => number;
}

export interface RouteRestriction {
  /** A path prefix (`/admin` covers `/admin` and `/admin/...`) or a pattern. */
  path: string | RegExp;
  /** The addresses and CIDRs (and loopback/linklocal/uniquelocal) that may reach it. */
  allow: readonly string[];
}

export interface ResolvedLockout extends LockoutPolicy {
  readonly combinations: readonly LockoutDimension[][];
  readonly store: LockoutStore | null;
  readonly maxKeys: number;
  readonly followDaemon: boolean;
  readonly syncMs: number;
}

export interface ResolvedOptions {
  readonly jail: string | null;
  readonly socket: string | null;
  readonly trust: TrustFn;
  readonly ipv6Prefix: number;
  readonly rules: readonly CompiledRule[];
  readonly failWhen: ((info: ResponseInfo) => boolean) | null;
  readonly lockout: Readonly<ResolvedLockout> | null;
  readonly allowlist: TrustFn | null;
  readonly restrict: readonly Readonly<{ path: string | RegExp; allow: TrustFn }>[];
  readonly failClosed: boolean;
  readonly log: ((line: string) => void) | null;
  readonly reporter: Readonly<{ maxQueue: number; batchDelayMs: number; timeoutMs: number }>;
  readonly lockedResponse: ((info: RefusalInfo) => RefusalResponse | undefined) | null;
  readonly clock: () => number;
}

const DIMENSIONS: readonly string[] = ['ip', 'username'];

function fail(name: string, expected: string, value: unknown): never {
  throw new BanwardWebError('BANWARD_WEB_ERR_OPTIONS', `option ${name} must be ${expected}, not ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function int(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function str(name: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string', value);
  return value;
}

function trustOf(opts: BanwardWebOptions): TrustFn {
  const { trustProxy, forceTrustAll } = opts;
  if (forceTrustAll !== undefined && typeof forceTrustAll !== 'boolean') fail('forceTrustAll', 'a boolean', forceTrustAll);
  if (trustProxy === undefined || trustProxy === false) return compileTrust(false);
  if (trustProxy === true) {
    if (forceTrustAll !== true) {
      throw new BanwardWebError('BANWARD_WEB_ERR_TRUST_ALL',
        'trustProxy: true would let any client choose its address with X-Forwarded-For; list your proxies ' +
        "(e.g. ['loopback', '10.0.0.0/8']), or add forceTrustAll: true if every request really comes through one");
    }
    warnOnce('BANWARD_WEB_W001');
    return compileTrust(true);
  }
  const list = typeof trustProxy === 'string' ? trustProxy.split(',').map((s) => s.trim()) : trustProxy;
  if (!Array.isArray(list)) fail('trustProxy', 'false, or addresses, CIDRs and loopback/linklocal/uniquelocal', trustProxy);
  return addressListOf('trustProxy', list);
}

function rulesOf(rules: unknown): CompiledRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) fail('rules', 'an array', rules);
  return rules.map((rule: FailureRule, i) => {
    const at = `rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) fail(at, 'an object', rule);
    const { path, method, status } = rule;
    if (!(typeof path === 'string' && path.startsWith('/')) && !(path instanceof RegExp)) fail(`${at}.path`, "a path starting with '/' or a RegExp", path);
    if (path instanceof RegExp && (path.global || path.sticky)) fail(`${at}.path`, 'a RegExp without the g or y flag', String(path));
    if (method !== undefined && ![method].flat().every((m) => typeof m === 'string' && /^[A-Za-z]+$/.test(m))) fail(`${at}.method`, 'an HTTP method or a list of them', method);
    if (status !== undefined && ![status].flat().every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) fail(`${at}.status`, 'an HTTP status or a list of them', status);
    return compileRule(rule);
  });
}

function lockoutOf(lockout: unknown, reporting: boolean): ResolvedOptions['lockout'] {
  if (lockout === false) return null;
  if (lockout !== undefined && (typeof lockout !== 'object' || lockout === null)) fail('lockout', 'false or an object', lockout);
  const l = (lockout ?? {}) as LockoutOptions;
  const by = l.by ?? ['ip'];
  const valid = (c: unknown) => c === 'ip+username' || (typeof c === 'string' && DIMENSIONS.includes(c)) ||
    (Array.isArray(c) && c.length > 0 && c.every((d) => typeof d === 'string' && DIMENSIONS.includes(d)));
  if (!Array.isArray(by) || by.length === 0 || !by.every(valid)) {
    fail('lockout.by', "a non-empty list of 'ip', 'username', or lists of them (both together)", l.by);
  }
  const store = l.store ?? null;
  if (store !== null && (typeof store !== 'object' || typeof store.lockedFor !== 'function' || typeof store.fail !== 'function')) {
    fail('lockout.store', 'a lockout store (e.g. new RedisLockoutStore({ client }))', store);
  }
  if (l.followDaemon !== undefined && typeof l.followDaemon !== 'boolean') fail('lockout.followDaemon', 'a boolean', l.followDaemon);
  if (l.followDaemon === true && !reporting) fail('lockout.followDaemon', 'left out unless jail (and a socket) is set', l.followDaemon);
  if (l.factor !== undefined && !(typeof l.factor === 'number' && l.factor >= 1 && l.factor <= 100)) fail('lockout.factor', 'a number from 1 to 100', l.factor);
  const durationMs = int('lockout.durationSeconds', l.durationSeconds, 900, 1) * 1000;
  const maxDurationMs = int('lockout.maxDurationSeconds', l.maxDurationSeconds, 86_400, 1) * 1000;
  if (maxDurationMs < durationMs) fail('lockout.maxDurationSeconds', 'at least durationSeconds', l.maxDurationSeconds);
  return Object.freeze({
    combinations: Object.freeze(normalizeCombinations(by)),
    maxFailures: int('lockout.maxFailures', l.maxFailures, 5, 1),
    windowMs: int('lockout.windowSeconds', l.windowSeconds, 600, 1) * 1000,
    durationMs,
    factor: l.factor ?? 1,
    maxDurationMs,
    historyMs: int('lockout.historySeconds', l.historySeconds, 86_400, 1) * 1000,
    store,
    maxKeys: int('lockout.maxKeys', l.maxKeys, 100_000, 1),
    followDaemon: l.followDaemon ?? reporting,
    syncMs: int('lockout.syncSeconds', l.syncSeconds, 2, 1) * 1000,
  });
}

function addressListOf(name: string, list: unknown): TrustFn {
  if (!Array.isArray(list) || list.some((e) => typeof e !== 'string' || e.trim() === '')) {
    fail(name, 'a list of addresses, CIDRs or loopback/linklocal/uniquelocal', list);
  }
  try {
    return compileTrust(list.map((e: string) => e.trim()));
  } catch (cause) {
    throw new BanwardWebError('BANWARD_WEB_ERR_OPTIONS', `option ${name}: ${(cause as Error).message}`, { cause });
  }
}

function restrictOf(restrict: unknown): ResolvedOptions['restrict'] {
  if (restrict === undefined) return [];
  if (!Array.isArray(restrict)) fail('restrict', 'a list of { path, allow }', restrict);
  return restrict.map((r: RouteRestriction, i) => {
    if (typeof r !== 'object' || r === null) fail(`restrict[${i}]`, 'an object { path, allow }', r);
    if (!(typeof r.path === 'string' && r.path.startsWith('/')) && !(r.path instanceof RegExp)) fail(`restrict[${i}].path`, "a path starting with '/' or a RegExp", r.path);
    return Object.freeze({ path: r.path, allow: addressListOf(`restrict[${i}].allow`, r.allow) });
  });
}

function logOf(log: unknown): ResolvedOptions['log'] {
  if (log === undefined || log === false) return null;
  if (typeof log === 'function') return log as (line: string) => void;
  if (typeof log === 'object' && log !== null && typeof (log as { write?: unknown }).write === 'function') {
    const sink = log as { write(chunk: string): unknown };
    return (line) => { sink.write(`${line}\n`); };
  }
  return fail('log', 'false, a function or a writable stream', log);
}

/** Checks every option once and returns them resolved and frozen; throws BanwardWebError with a code. */
export function resolveOptions(options: BanwardWebOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const jail = str('jail', options.jail);
  if (jail !== null && !/^[\w.-]+$/.test(jail)) fail('jail', 'a jail name (letters, digits, _ . -)', jail);
  const socket = options.socket === false ? null : str('socket', options.socket) ?? (jail === null ? null : DEFAULT_SOCKET);
  if (socket !== null && jail === null) fail('jail', 'set when socket is set (the jail the failures are reported to)', options.jail);
  if (options.failWhen !== undefined && typeof options.failWhen !== 'function') fail('failWhen', 'a function', options.failWhen);
  if (options.clock !== undefined && typeof options.clock !== 'function') fail('clock', 'a function', options.clock);
  if (options.failClosed !== undefined && typeof options.failClosed !== 'boolean') fail('failClosed', 'a boolean', options.failClosed);
  if (options.lockedResponse !== undefined && typeof options.lockedResponse !== 'function') fail('lockedResponse', 'a function', options.lockedResponse);
  const reporter = options.reporter ?? {};
  return Object.freeze({
    jail,
    socket,
    trust: trustOf(options),
    ipv6Prefix: int('ipv6Prefix', options.ipv6Prefix, 64, 1, 128),
    rules: Object.freeze(rulesOf(options.rules)),
    failWhen: options.failWhen ?? null,
    lockout: lockoutOf(options.lockout, socket !== null),
    allowlist: options.allowlist === undefined ? null : addressListOf('allowlist', options.allowlist),
    restrict: Object.freeze(restrictOf(options.restrict)),
    failClosed: options.failClosed ?? false,
    log: logOf(options.log),
    reporter: Object.freeze({
      maxQueue: int('reporter.maxQueue', reporter.maxQueue, 1000, 1),
      batchDelayMs: int('reporter.batchDelayMs', reporter.batchDelayMs, 50, 0),
      timeoutMs: int('reporter.timeoutMs', reporter.timeoutMs, 5000, 1),
    }),
    lockedResponse: options.lockedResponse ?? null,
    clock: options.clock ?? Date.now,
  });
}
