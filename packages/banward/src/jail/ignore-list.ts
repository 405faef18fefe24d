/**
 * Who a jail never bans: fail2ban's `ignoreself`, `ignoreip` (addresses, CIDR ranges, host names,
 * and `file:/path` lists) and `ignorecommand` (with `ignorecache`).
 *
 * Addresses and ranges are checked synchronously (`matchStatic`). Host names are resolved when
 * added and again every `dnsRefresh` seconds, in the background; files are re-read when their mtime
 * changes (looked at no more than once per `fileCheckInterval`). `isIgnored` brings both up to date
 * as needed, then runs the command if nothing else matched.
 */
import { lookup } from 'node:dns/promises';
import { stat, readFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { systemClock, type Clock } from '../clock.js';
import { BanwardError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { formatIp, networksOverlap, parseIp, type IpAddress } from '../net/ip-address.js';
import { AnswerCache, IgnoreCommand, parseIgnoreCache, replaceTags, type IgnoreCacheSettings } from './_ignore-command.js';

export type IgnoreEntry =
  | { kind: 'ip'; text: string; net: IpAddress }
  | { kind: 'dns'; text: string; name: string }
  | { kind: 'file'; text: string; path: string };

export interface IgnoreResult {
  ignored: boolean;
  /** What matched, as fail2ban logs it: `ip`, `dns`, `ignoreself rule`, `command`, or `file:/path`. */
  source?: string;
}

const HOST_NAME_RE = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const LOOKS_NUMERIC_RE = /^[\d./]+$|:/;

/** Reads one `ignoreip` word; `{ error }` when it is none of address, range, host name, `file:`. */
export function classifyIgnoreEntry(word: string): IgnoreEntry | { error: string } {
  const text = word.trim();
  if (text.startsWith('file:')) {
    const path = text.slice(5);
    return path.startsWith('/') ? { kind: 'file', text, path } : { error: `${JSON.stringify(text)}: file: needs an absolute path` };
  }
  const net = parseIp(text);
  if (net) return { kind: 'ip', text: formatIp(net), net };
  if (!LOOKS_NUMERIC_RE.test(text) && HOST_NAME_RE.test(text)) return { kind: 'dns', text, name: text };
  return { error: `${JSON.stringify(text)} is not an address, a CIDR range, a host name or file:/path` };
}

/** fail2ban's splitting of `ignoreip`: on spaces, commas and new lines. */
export function splitIgnoreWords(value: string): string[] {
  return value.split(/[ ,\n]+/).map((w) => w.trim()).filter(Boolean);
}

export interface IgnoreListOptions {
  ignoreip?: readonly string[] | string;
  /** Ignore this host's own addresses (default true, as in fail2ban). */
  ignoreself?: boolean;
  ignorecommand?: string;
  ignorecache?: IgnoreCacheSettings | string;
  log?: Logger;
  clock?: Clock;
  /** Host name → addresses (default: getaddrinfo via node:dns lookup, so /etc/hosts counts). */
  resolve?: (name: string) => Promise<string[]>;
  /** This host's addresses (default: every interface's). 127.0.0.0/8 and ::1 are always added. */
  selfAddresses?: () => string[];
  /** Seconds between re-resolutions of host names and of the own addresses (default 300). */
  dnsRefresh?: number;
  /** Seconds between looks at a `file:` list's mtime (default 1). */
  fileCheckInterval?: number;
  /** Milliseconds before the ignorecommand is killed (default 10,000). */
  commandTimeoutMs?: number;
}

interface Resolved {
  nets: IpAddress[];
  at: number | null;
  pending: Promise<void> | null;
}

interface FileList {
  nets: IpAddress[];
  mtimeMs: number | null;
  checkedAt: number;
}

const LOOPBACK = [parseIp('127.0.0.0/8')!, parseIp('::1')!];

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

async function lookupAll(name: string): Promise<string[]> {
  return (await lookup(name, { all: true })).map((a) => a.address);
}

export class IgnoreList {
  private list: IgnoreEntry[] = [];
  private readonly names = new Map<string, Resolved>();
  private readonly files = new Map<string, FileList>();
  private self: { nets: IpAddress[]; at: number } | null = null;
  private readonly command: IgnoreCommand | null;
  private readonly cache: AnswerCache<IgnoreResult> | null;
  private readonly cacheKey: string;
  private readonly clock: Clock;
  private readonly log: Logger | undefined;

  constructor(private readonly options: IgnoreListOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    const command = options.ignorecommand?.trim();
    this.command = command ? new IgnoreCommand(command, options.commandTimeoutMs !== undefined ? { timeoutMs: options.commandTimeoutMs } : {}) : null;
    const cache = typeof options.ignorecache === 'string' ? parseIgnoreCache(options.ignorecache) : options.ignorecache;
    this.cache = cache ? new AnswerCache(cache) : null;
    this.cacheKey = cache?.key ?? '<ip>';
    const words = typeof options.ignoreip === 'string' ? splitIgnoreWords(options.ignoreip) : options.ignoreip ?? [];
    for (const word of words) this.add(word);
  }

  /** Adds an entry (`set <jail> addignoreip`). Throws BanwardError for a word that is none of the kinds. */
  add(word: string): void {
    const entry = classifyIgnoreEntry(word);
    if ('error' in entry) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `ignoreip: ${entry.error}`);
    if (this.list.some((e) => e.text === entry.text)) return;
    this.list.push(entry);
    this.cache?.clear();
    if (entry.kind === 'dns' && !this.names.has(entry.name)) {
      this.names.set(entry.name, { nets: [], at: null, pending: null });
      void this.resolveName(entry.name);
    }
    if (entry.kind === 'file' && !this.files.has(entry.path)) this.files.set(entry.path, this.loadFileSync(entry.path));
  }

  /** Removes an entry (`set <jail> delignoreip`); false when it was not listed. */
  remove(word: string): boolean {
    const entry = classifyIgnoreEntry(word);
    const text = 'error' in entry ? word.trim() : entry.text;
    const before = this.list.length;
    this.list = this.list.filter((e) => e.text !== text);
    if (this.list.length === before) return false;
    if (!('error' in entry) && entry.kind === 'dns') this.names.delete(entry.name);
    if (!('error' in entry) && entry.kind === 'file') this.files.delete(entry.path);
    this.cache?.clear();
    return true;
  }

  /** The entries, addresses in canonical form (`127.0.0.0/8`). */
  entries(): string[] {
    return this.list.map((e) => e.text);
  }

  /** Resolves when every host name has been looked up once. */
  async ready(): Promise<void> {
    await Promise.all([...this.names.values()].flatMap((r) => r.pending ?? []));
  }

  /** True when matchStatic gives the whole answer (no host names, files or command to consult). */
  get isStatic(): boolean {
    return !this.command && this.names.size === 0 && this.files.size === 0;
  }

  /**
   * The fast path: own addresses, listed addresses and ranges, host names and file lists as last
   * resolved/read. Never ignores by command. `ip` may be a network (a ban's target): it is ignored
   * when it shares any address with an entry, so no ban can cover an ignored or own address.
   */
  matchStatic(ip: string): IgnoreResult {
    const addr = parseIp(ip.trim());
    if (!addr) return { ignored: false };
    const inAny = (nets: readonly IpAddress[]): boolean => nets.some((n) => networksOverlap(addr, n));
    if (this.options.ignoreself !== false && inAny(this.selfNets(this.clock()))) return { ignored: true, source: 'ignoreself rule' };
    for (const entry of this.list) {
      if (entry.kind === 'ip' && networksOverlap(addr, entry.net)) return { ignored: true, source: 'ip' };
      if (entry.kind === 'dns' && inAny(this.names.get(entry.name)?.nets ?? [])) return { ignored: true, source: 'dns' };
      if (entry.kind === 'file' && inAny(this.files.get(entry.path)?.nets ?? [])) return { ignored: true, source: entry.text };
    }
    return { ignored: false };
  }

  /** The full check. `tags` add to `<ip>`, `<fid>`, `<family>` for the command and the cache key. */
  async isIgnored(ip: string, tags: Readonly<Record<string, string>> = {}): Promise<IgnoreResult> {
    const now = this.clock();
    const addr = parseIp(ip.trim());
    const id = addr ? formatIp(addr) : ip.trim();
    const allTags: Record<string, string> = { ip: id, fid: id, family: addr ? `inet${addr.family}` : '', ...tags };
    const key = this.cache ? replaceTags(this.cacheKey, allTags) : '';
    const hit = this.cache?.get(key, now);
    if (hit) return hit;
    await this.refresh(now);
    let result = this.matchStatic(id);
    if (!result.ignored && this.command) {
      const verdict = await this.command.run(id, allTags);
      if ('error' in verdict) this.log?.error(verdict.error);
      result = 'ignore' in verdict && verdict.ignore ? { ignored: true, source: 'command' } : { ignored: false };
    }
    this.cache?.set(key, result, now);
    return result;
  }

  private selfNets(now: number): IpAddress[] {
    if (!this.self || now - this.self.at >= (this.options.dnsRefresh ?? 300)) {
      const texts = (this.options.selfAddresses ?? interfaceAddresses)();
      const nets = texts.map((t) => parseIp(t)).filter((n): n is IpAddress => n !== null);
      this.self = { nets: [...LOOPBACK, ...nets], at: now };
    }
    return this.self.nets;
  }

  private async refresh(now: number): Promise<void> {
    const waits: Promise<void>[] = [];
    const dnsRefresh = this.options.dnsRefresh ?? 300;
    for (const [name, r] of this.names) {
      if (r.at === null) waits.push(r.pending ?? this.resolveName(name));
      else if (now - r.at >= dnsRefresh && !r.pending) void this.resolveName(name);
    }
    for (const [path, f] of this.files) {
      if (now - f.checkedAt >= (this.options.fileCheckInterval ?? 1)) waits.push(this.reloadFile(path, f, now));
    }
    await Promise.all(waits);
  }

  private resolveName(name: string): Promise<void> {
    const r = this.names.get(name);
    if (!r) return Promise.resolve();
    const pending = (this.options.resolve ?? lookupAll)(name).then(
      (addresses) => {
        r.nets = addresses.map((a) => parseIp(a)).filter((n): n is IpAddress => n !== null);
        if (r.nets.length === 0) this.log?.warn(`ignoreip: ${name} resolves to no address`);
      },
      (error: unknown) => this.log?.warn(`ignoreip: cannot resolve ${name}: ${(error as Error).message}`),
    ).finally(() => {
      r.at = this.clock();
      r.pending = null;
      this.cache?.clear();
    });
    r.pending = pending;
    return pending;
  }

  private parseList(path: string, text: string): IpAddress[] {
    const nets: IpAddress[] = [];
    for (const line of text.split('\n')) {
      for (const word of splitIgnoreWords(line.replace(/#.*/, ''))) {
        const net = parseIp(word);
        if (net) nets.push(net);
        else this.log?.warn(`ignoreip file:${path}: ${JSON.stringify(word)} is not an address or a CIDR range`);
      }
    }
    return nets;
  }

  private loadFileSync(path: string): FileList {
    const now = this.clock();
    try {
      const { mtimeMs } = statSync(path);
      return { nets: this.parseList(path, readFileSync(path, 'utf8')), mtimeMs, checkedAt: now };
    } catch (error) {
      this.log?.warn(`ignoreip file:${path}: ${(error as Error).message}`);
      return { nets: [], mtimeMs: null, checkedAt: now };
    }
  }

  private async reloadFile(path: string, f: FileList, now: number): Promise<void> {
    f.checkedAt = now;
    try {
      const { mtimeMs } = await stat(path);
      if (mtimeMs === f.mtimeMs) return;
      f.nets = this.parseList(path, await readFile(path, 'utf8'));
      f.mtimeMs = mtimeMs;
      this.log?.info(`ignoreip file:${path}: read ${f.nets.length} entries`);
    } catch (error) {
      if (f.mtimeMs === null) return;
      this.log?.warn(`ignoreip file:${path}: ${(error as Error).message}`);
      f.nets = [];
      f.mtimeMs = null;
    }
    this.cache?.clear();
  }
}
