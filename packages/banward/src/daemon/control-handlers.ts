import { createRequire } from 'node:module';
import type { ControlRequest } from '../control/index.js';
import type { BanRecord } from '../decision/index.js';
import { BanwardError } from '../errors.js';
import { banCovers, canonical } from '../jail/index.js';
import { formatIp, isHost, parseIp } from '../net/ip-address.js';
import type { BanwardServer } from './banward-server.js';
import type { RunningJail } from './jail-builder.js';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

function jailOf(server: BanwardServer, name: string | undefined): RunningJail {
  const running = name === undefined ? undefined : server.jails.get(name);
  if (!running) throw new BanwardError('BANWARD_ERR_COMMAND', `no jail named '${name ?? ''}' (see banward status)`);
  return running;
}

function banWithTime(b: BanRecord) {
  return { ip: b.ip, time: b.time, bantime: b.bantime, expires: b.bantime < 0 ? null : b.time + b.bantime };
}

function jailStatus(server: BanwardServer, running: RunningJail) {
  const bans = server.store.activeBans(running.jail.name);
  const failures = running.jail.parts.failures;
  return {
    jail: running.jail.name,
    filter: {
      currentlyFailed: failures.currentlyFailed,
      totalFailed: failures.totalFailed,
      evicted: failures.evicted,
      /** Lines given up because one regex held them longer than linetimeout. */
      abandonedLines: running.jail.abandonedLines,
      ...running.inputs,
      reports: running.sources.length === 0,
    },
    actions: {
      currentlyBanned: bans.length, totalBanned: running.jail.totalBanned, bannedIps: bans.map((b) => b.ip),
      ...(running.unenforced === null ? {} : { notEnforced: running.unenforced }),
    },
  };
}

// A Map, not an object: `get JAIL constructor` must not reach Object.prototype.
const GETTERS: ReadonlyMap<string, (r: RunningJail) => unknown> = new Map<string, (r: RunningJail) => unknown>([
  ['findtime', (r: RunningJail) => r.options.findtime],
  ['bantime', (r: RunningJail) => r.options.bantime],
  ['maxretry', (r: RunningJail) => r.options.maxretry],
  ['logpath', (r: RunningJail) => r.options.logpath.map((p) => p.path)],
  ['ignoreip', (r: RunningJail) => r.jail.parts.ignore.entries()],
  ['failregex', (r: RunningJail) => r.jail.parts.filter?.failRegexes.map((x) => x.original) ?? []],
]);

async function setCommand(server: BanwardServer, jailName: string | undefined, what: string | undefined, values: string[]) {
  const running = jailOf(server, jailName);
  switch (what) {
    case 'banip': {
      // All or nothing: a refused target (BANWARD_ERR_BAN_REFUSED) leaves the others unbanned too.
      for (const ip of values) {
        const refusal = running.jail.banRefusal(canonical(ip));
        if (refusal) throw new BanwardError('BANWARD_ERR_BAN_REFUSED', `set ${running.jail.name} banip ${ip}: it overlaps ${refusal}, never banned; nothing was banned`);
      }
      let banned = 0;
      for (const ip of values) if (await running.jail.ban(ip, { matches: ['banned by hand'] })) banned++;
      return { banned };
    }
    case 'unbanip': {
      let unbanned = 0;
      for (const ip of values) if (await running.jail.unban(ip)) unbanned++;
      return { unbanned };
    }
    case 'addignoreip':
      for (const ip of values) running.jail.parts.ignore.add(ip);
      return { ignoreip: running.jail.parts.ignore.entries() };
    case 'delignoreip':
      for (const ip of values) running.jail.parts.ignore.remove(ip);
      return { ignoreip: running.jail.parts.ignore.entries() };
    default:
      throw new BanwardError('BANWARD_ERR_COMMAND', `set ${jailName ?? ''} ${what ?? ''}: expected banip, unbanip, addignoreip or delignoreip`);
  }
}

async function unbanEverywhere(server: BanwardServer, ips: string[], all: boolean): Promise<number> {
  let count = 0;
  for (const running of server.jails.values()) {
    const targets = all ? server.store.activeBans(running.jail.name).map((b) => b.ip) : ips;
    for (const ip of targets) if (await running.jail.unban(ip)) count++;
  }
  return count;
}

/**
 * What the app socket serves: reporting failures and reading bans and status — what @banward/web and
 * django-banward need. Whoever can reach it (a web app's user) cannot unban, ban, change or stop anything.
 */
const APP_COMMANDS: ReadonlySet<string> = new Set(['ping', 'version', 'status', 'get', 'banned', 'report']);

/** The app socket's answers: the app commands as on the admin socket, everything else refused. */
export async function handleAppRequest(server: BanwardServer, request: ControlRequest): Promise<unknown> {
  if (!APP_COMMANDS.has(request.command)) {
    throw new BanwardError('BANWARD_ERR_NOT_PERMITTED',
      `'${request.command}' is not allowed on the app socket (it serves ${[...APP_COMMANDS].join(', ')}); use the admin socket`);
  }
  if (request.command === 'report') {
    const running = jailOf(server, request.args[0]);
    if (running.options.filter !== null && !running.options.appreports) {
      throw new BanwardError('BANWARD_ERR_NOT_PERMITTED',
        `jail '${running.jail.name}' reads its own logs and does not take reports from apps (set appreports = true in it, or report into a jail without a filter)`);
    }
  }
  return handleRequest(server, request);
}

/** `report`'s address: one host address (IPv4 or IPv6) in canonical form, never a network or a name. */
function reportedAddress(text: string | undefined): string {
  const ip = text === undefined || text.includes('/') ? null : parseIp(text);
  if (!ip || !isHost(ip)) {
    throw new BanwardError('BANWARD_ERR_COMMAND',
      `report takes one IPv4 or IPv6 host address, not ${JSON.stringify(text ?? '')} (no networks, prefixes or host names)`);
  }
  return formatIp(ip);
}

/** What answers at once while the jails start (their backlog may take a while); the rest waits for the start. */
const ANSWERED_DURING_START: ReadonlySet<string> = new Set(['ping', 'version', 'status', 'get', 'banned', 'test-config', 'dump-config']);

/** The daemon's answers to control requests (docs/protocol.md). */
export async function handleRequest(server: BanwardServer, request: ControlRequest): Promise<unknown> {
  if (!ANSWERED_DURING_START.has(request.command)) await server.started;
  const [first, second, ...rest] = request.args;
  const opts = request.options ?? {};
  switch (request.command) {
    case 'ping': return 'pong';
    case 'version': return { version: VERSION };
    case 'status':
      return first === undefined ? { jails: [...server.jails.keys()] } : jailStatus(server, jailOf(server, first));
    case 'stop':
      setImmediate(() => void server.stop());
      return null;
    case 'reload':
      return { reloaded: await server.reload(first, { restart: opts['restart'] === true, unban: opts['unban'] === true }) };
    case 'set':
      return setCommand(server, first, second, rest);
    case 'get': {
      const running = jailOf(server, first);
      if (second === 'banip') {
        return server.store.activeBans(running.jail.name).map((b) => (opts['withTime'] === true ? banWithTime(b) : b.ip));
      }
      const getter = second === undefined ? undefined : GETTERS.get(second);
      if (!getter) throw new BanwardError('BANWARD_ERR_COMMAND', `get ${first}: expected banip, ${[...GETTERS.keys()].join(', ')}`);
      return getter(running);
    }
    case 'unban':
      return { unbanned: await unbanEverywhere(server, request.args.map(canonical), opts['all'] === true) };
    case 'banned': {
      const wanted = request.args.map(canonical);
      const byIp = new Map<string, string[]>();
      for (const ban of server.store.activeBans()) {
        if (wanted.length && !wanted.some((ip) => banCovers(ban.ip, ip))) continue;
        byIp.set(ban.ip, [...(byIp.get(ban.ip) ?? []), ban.jail]);
      }
      return [...byIp].map(([ip, jails]) => ({ ip, jails }));
    }
    case 'report': {
      const running = jailOf(server, first);
      const ip = reportedAddress(second);
      const time = opts['time'] === undefined ? undefined : Number(opts['time']);
      if (time !== undefined && !Number.isFinite(time)) throw new BanwardError('BANWARD_ERR_COMMAND', `report: --time must be epoch seconds, not ${String(opts['time'])}`);
      await running.jail.report(ip, {
        ...(typeof opts['user'] === 'string' ? { user: opts['user'] } : {}),
        ...(time !== undefined ? { time } : {}),
      });
      // With countprefix6 the ban may be the address's network: `ban.ip` is then the prefix.
      const ban = running.jail.banOf(ip);
      return { accepted: true, ban: ban ? banWithTime(ban) : null };
    }
    case 'test-config':
      return { ok: true, jails: [...server.jails.keys()] };
    case 'dump-config':
      return { jails: Object.fromEntries([...server.jails].map(([name, r]) => [name, r.options])) };
    default:
      throw new BanwardError('BANWARD_ERR_COMMAND', `unknown command '${request.command}'`);
  }
}
