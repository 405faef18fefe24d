import {
  unknownJail, type ActiveBan, type BanTimes, type DaemonControl, type IpStory, type JailCounters, type JailOptionName, type JailOptionValues,
  type JailStatus,
} from '../control/index.js';
import { MATCH_SECONDS_BUCKETS } from '../filter/runner/index.js';
import type { BanRecord } from '../decision/index.js';
import { banCovers } from '../jail/index.js';
import { canonical } from '../net/ip-address.js';
import type { BanwardServer } from './banward-server.js';
import type { RunningJail } from './jail-builder.js';

function banTimes(b: BanRecord): BanTimes {
  return { ip: b.ip, time: b.time, bantime: b.bantime, expires: b.bantime < 0 ? null : b.time + b.bantime };
}

function activeBan(b: BanRecord): ActiveBan {
  return { jail: b.jail, ...banTimes(b), banCount: b.banCount };
}

/** One jail's part of an address's story. */
function storyInJail({ jail }: RunningJail, ip: string): IpStory['jails'][number] {
  const key = jail.countKey(ip);
  const ban = jail.banOf(ip);
  const ignore = jail.parts.ignore.matchStatic(ip);
  return {
    jail: jail.name,
    failures: { count: jail.parts.failures.get(key)?.count ?? 0, entries: jail.parts.failures.entries(key) },
    ban: ban ? activeBan(ban) : null,
    ignoredBy: ignore.ignored ? ignore.source ?? 'ignoreip' : null,
  };
}

const OPTION_READERS: { [K in JailOptionName]: (r: RunningJail) => JailOptionValues[K] } = {
  findtime: (r) => r.options.findtime,
  bantime: (r) => r.options.bantime,
  maxretry: (r) => r.options.maxretry,
  logpath: (r) => r.options.logpath.map((p) => p.path),
  ignoreip: (r) => r.jail.parts.ignore.entries(),
  failregex: (r) => r.jail.parts.filter?.failRegexes.map((x) => x.original) ?? [],
};

/** The control plane's view of a BanwardServer: its jails and store stay behind this. */
export function serverControl(server: BanwardServer): DaemonControl {
  const jailOf = (name: string): RunningJail => {
    const running = server.jails.get(name);
    if (!running) throw unknownJail(name);
    return running;
  };
  const activeBans = (jail?: string): BanRecord[] => server.store.activeBans(jail);
  return {
    // A getter: the server builds its control before its constructor has assigned `started`.
    get started() { return server.started; },
    jailNames: () => [...server.jails.keys()],
    jailStatus(name): JailStatus {
      const running = jailOf(name);
      const bans = activeBans(running.jail.name);
      const failures = running.jail.parts.failures;
      return {
        jail: running.jail.name,
        filter: {
          currentlyFailed: failures.currentlyFailed,
          totalFailed: failures.totalFailed,
          evicted: failures.evicted,
          abandonedLines: running.jail.abandonedLines,
          ...running.inputs,
          reports: running.sources.length === 0,
        },
        actions: {
          currentlyBanned: bans.length, totalBanned: running.jail.totalBanned, bannedIps: bans.map((b) => b.ip),
          ...(running.unenforced === null ? {} : { notEnforced: running.unenforced }),
        },
      };
    },
    jailCounters(name): JailCounters {
      const { jail, sources } = jailOf(name);
      const match = jail.matchStats;
      const read = sources.map((s) => s.stats());
      return {
        linesRead: read.reduce((sum, s) => sum + s.linesRead, 0),
        linesMatched: match?.matched ?? 0,
        matchSeconds: {
          buckets: MATCH_SECONDS_BUCKETS,
          counts: match ? [...match.batchSeconds] : new Array<number>(MATCH_SECONDS_BUCKETS.length + 1).fill(0),
          sum: match?.seconds ?? 0,
        },
        ignoredFailures: jail.ignoredFailures,
        abandonedLines: jail.abandonedLines,
        actions: jail.actionRunCounts(),
        sourceLag: read.flatMap((s) => s.lag),
      };
    },
    activeBans({ jail, covering } = {}): ActiveBan[] {
      if (jail !== undefined) jailOf(jail);
      const wanted = covering?.map(canonical) ?? [];
      return activeBans(jail)
        .filter((ban) => wanted.length === 0 || wanted.some((ip) => banCovers(ban.ip, ip)))
        .map(activeBan);
    },
    async ban(name, targets) {
      const { jail } = jailOf(name);
      for (const target of targets) {
        const overlaps = jail.banRefusal(canonical(target));
        if (overlaps) return { refused: { target, overlaps } };
      }
      let banned = 0;
      for (const target of targets) if (await jail.ban(target, { matches: ['banned by hand'] })) banned++;
      return { banned };
    },
    async unban(name, targets) {
      const { jail } = jailOf(name);
      let unbanned = 0;
      for (const target of targets) if (await jail.unban(target)) unbanned++;
      return unbanned;
    },
    async unbanEverywhere(targets) {
      let count = 0;
      for (const { jail } of server.jails.values()) {
        const ips = targets === 'all' ? activeBans(jail.name).map((b) => b.ip) : targets.map(canonical);
        for (const ip of ips) if (await jail.unban(ip)) count++;
      }
      return count;
    },
    addIgnore(name, entries) {
      const { ignore } = jailOf(name).jail.parts;
      for (const entry of entries) ignore.add(entry);
      return ignore.entries();
    },
    removeIgnore(name, entries) {
      const { ignore } = jailOf(name).jail.parts;
      for (const entry of entries) ignore.remove(entry);
      return ignore.entries();
    },
    option: (name, option) => OPTION_READERS[option](jailOf(name)),
    resolvedOptions: (name) => jailOf(name).options,
    acceptsAppReports(name) {
      const { options } = jailOf(name);
      return options.filter === null || options.appreports;
    },
    async report(name, ip, details = {}) {
      const { jail } = jailOf(name);
      await jail.report(ip, details);
      // With countprefix6 the ban may be the address's network: `ban.ip` is then the prefix.
      const ban = jail.banOf(ip);
      return ban ? banTimes(ban) : null;
    },
    reload: (jail, options = {}) => server.reload(jail, options),
    stop() {
      setImmediate(() => void server.stop());
    },
    ipStory(ip) {
      const address = canonical(ip);
      const history = server.store.bansOf(address).map(({ jail, time, bantime, banCount, matches }) => ({ jail, time, bantime, banCount, matches }));
      return { ip: address, jails: [...server.jails.values()].map((running) => storyInJail(running, address)), history };
    },
    activity: (since) => server.store.activity.minutes(since),
    topOffenders: (since, limit) => server.store.activity.top(since, limit),
    subscribe: (listener, options) => server.events.subscribe(listener, options),
  };
}
