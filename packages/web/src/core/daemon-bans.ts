import { exchange } from './_daemon-socket.js';
import { warnOnce } from './errors.js';
import { normalizeRange } from './ip.js';

export interface DaemonBansOptions {
  socketPath: string;
  jail: string;
  /** How often the jail's bans are read again (unbans and bans made elsewhere show up then). */
  syncMs: number;
  timeoutMs: number;
  clock: () => number;
  /** Called for each address or CIDR whose ban was lifted since the last read (`banward unban`, expiry). */
  onUnban: (ipOrCidr: string) => void;
}

interface BanEntry {
  ip?: unknown;
  expires?: unknown;
}

/**
 * The app's copy of one daemon jail's bans, so that a firewall ban also locks the app and `banward unban`
 * frees both — without I/O on a request: `bannedFor` reads memory; the copy is refreshed in the background
 * (`get JAIL banip --with-time`) and at once when a report comes back saying it banned the address.
 */
export class DaemonBans {
  readonly #opts: DaemonBansOptions;
  /** Address or CIDR (canonical text) → when its ban ends (epoch ms; Infinity for a permanent ban). */
  #bans = new Map<string, number>();
  /** The prefix lengths of the CIDR bans, so that a lookup tries one network per length. */
  #prefixes = new Set<number>();
  #reachable = false;
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #closed = false;
  /** Bans learnt from reports while a read was in flight; the read's older answer must not drop them. */
  #notedDuringRead: Map<string, number> | null = null;
  /** Resolves after the first read, whatever its outcome. */
  readonly ready: Promise<void>;

  constructor(opts: DaemonBansOptions) {
    this.#opts = opts;
    this.ready = this.sync();
  }

  /** True when the last exchange with the daemon worked. */
  get reachable(): boolean {
    return this.#reachable;
  }

  get size(): number {
    return this.#bans.size;
  }

  /** Milliseconds until the address's ban ends, or 0; a CIDR ban (`2001:db8:1:2::/64`) covers each address in it. */
  bannedFor(ip: string, now: number): number {
    let until = this.#bans.get(ip) ?? 0;
    for (const prefix of this.#prefixes) {
      const network = normalizeRange(`${ip}/${prefix}`);
      if (network !== null) until = Math.max(until, this.#bans.get(network) ?? 0);
    }
    if (until <= now) return 0;
    return until === Infinity ? Number.MAX_SAFE_INTEGER : until - now;
  }

  /** Takes in the `ban` of a report's result (docs/protocol.md). */
  noteReportResult(result: unknown): void {
    this.#reachable = true;
    const ban = (result as { ban?: BanEntry | null } | null)?.ban;
    if (!ban) return;
    this.#add(this.#bans, ban);
    if (this.#notedDuringRead) this.#add(this.#notedDuringRead, ban);
  }

  /** Reads the jail's bans now; also what the timer runs. Concurrent calls share one read. */
  sync(): Promise<void> {
    this.#syncing ??= this.#read().finally(() => {
      this.#syncing = undefined;
      this.#schedule();
    });
    return this.#syncing;
  }

  close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    return this.#syncing ?? Promise.resolve();
  }

  async #read(): Promise<void> {
    const opts = this.#opts;
    this.#notedDuringRead = new Map();
    const { responses, error } = await exchange(opts.socketPath, [
      { command: 'get', args: [opts.jail, 'banip'], options: { withTime: true } },
    ], opts.timeoutMs);
    const response = responses[0];
    const noted = this.#notedDuringRead ?? new Map<string, number>();
    this.#notedDuringRead = null;
    if (error || !response?.ok || !Array.isArray(response.result)) {
      this.#reachable = false;
      const why = error?.message ?? `${String(response?.error?.code)}: ${String(response?.error?.message)}`;
      warnOnce('BANWARD_WEB_W004', `${opts.socketPath}, jail ${opts.jail}: ${why}`);
      return;
    }
    this.#reachable = true;
    const next = new Map<string, number>();
    for (const entry of response.result as BanEntry[]) this.#add(next, entry);
    for (const [ip, until] of noted) if (!next.has(ip)) next.set(ip, until);
    const previous = this.#bans;
    this.#bans = next;
    this.#prefixes = new Set([...next.keys()].map(prefixOf).filter((p): p is number => p !== null));
    for (const ip of previous.keys()) if (!next.has(ip)) opts.onUnban(ip);
  }

  #add(into: Map<string, number>, entry: BanEntry): void {
    const banned = typeof entry.ip === 'string' ? normalizeRange(entry.ip) : null;
    if (banned === null) return;
    into.set(banned, typeof entry.expires === 'number' ? entry.expires * 1000 : Infinity);
    const prefix = prefixOf(banned);
    if (prefix !== null) this.#prefixes.add(prefix);
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.sync(), this.#opts.syncMs);
    this.#timer.unref();
  }
}

/** The prefix length of a canonical CIDR, or null for a plain address. */
function prefixOf(banned: string): number | null {
  const slash = banned.indexOf('/');
  return slash < 0 ? null : Number(banned.slice(slash + 1));
}
