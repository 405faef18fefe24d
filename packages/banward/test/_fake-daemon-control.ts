import { unknownJail, type ActiveBan, type DaemonControl, type JailStatus } from '../src/control/index.js';
import type { JailOptions } from '../src/jail/index.js';

/** A daemon with jails `sshd` (reads its log) and `web-login` (reports only), its calls recorded. */
export function fakeControl(overrides: Partial<DaemonControl> = {}) {
  const calls: unknown[][] = [];
  const bans: ActiveBan[] = [
    { jail: 'sshd', ip: '203.0.113.5', time: 1000, bantime: 600, expires: 1600, banCount: 1 },
    { jail: 'web-login', ip: '203.0.113.5', time: 1100, bantime: -1, expires: null, banCount: 2 },
    { jail: 'sshd', ip: '2001:db8::/64', time: 1200, bantime: 600, expires: 1800, banCount: 1 },
  ];
  const ignore = ['127.0.0.1/8'];
  const known = (jail: string): string => {
    if (jail !== 'sshd' && jail !== 'web-login') throw unknownJail(jail);
    return jail;
  };
  const status = (jail: string): JailStatus => ({
    jail,
    filter: { currentlyFailed: 1, totalFailed: 2, evicted: 0, abandonedLines: 0, files: ['/var/log/auth.log'], reports: false },
    actions: { currentlyBanned: 1, totalBanned: 3, bannedIps: ['203.0.113.5'] },
  });
  const control: DaemonControl = {
    started: Promise.resolve(),
    jailNames: () => ['sshd', 'web-login'],
    jailStatus: (jail) => status(known(jail)),
    jailCounters: (jail) => ({
      linesRead: known(jail) === 'sshd' ? 10 : 0, linesMatched: 2, matchSeconds: { buckets: [1], counts: [1, 0], sum: 0.5 },
      ignoredFailures: 0, abandonedLines: 0, actions: [], sourceLag: [],
    }),
    activeBans: ({ jail, covering } = {}) => {
      calls.push(['activeBans', jail, covering]);
      return bans.filter((b) => jail === undefined || b.jail === jail);
    },
    ban: (jail, targets) => {
      calls.push(['ban', jail, targets]);
      return Promise.resolve(targets.includes('0.0.0.0/1') ? { refused: { target: '0.0.0.0/1', overlaps: '127.0.0.1 (this host)' } } : { banned: targets.length });
    },
    unban: (jail, targets) => { calls.push(['unban', jail, targets]); return Promise.resolve(targets.length); },
    unbanEverywhere: (targets) => { calls.push(['unbanEverywhere', targets]); return Promise.resolve(targets === 'all' ? 3 : targets.length); },
    addIgnore: (jail, entries) => { calls.push(['addIgnore', jail, entries]); return [...ignore, ...entries]; },
    removeIgnore: (jail, entries) => { calls.push(['removeIgnore', jail, entries]); return ignore.filter((e) => !entries.includes(e)); },
    option: (jail, name) => { calls.push(['option', jail, name]); return (name === 'maxretry' ? 5 : ['x']) as never; },
    resolvedOptions: (jail) => ({ name: known(jail) }) as unknown as JailOptions,
    acceptsAppReports: (jail) => known(jail) === 'web-login',
    report: (jail, ip, details) => {
      calls.push(['report', jail, ip, details]);
      return Promise.resolve(jail === 'web-login' ? { ip, time: 1300, bantime: 600, expires: 1900 } : null);
    },
    reload: (jail, options) => { calls.push(['reload', jail, options]); return Promise.resolve(jail === undefined ? ['sshd'] : [jail]); },
    stop: () => { calls.push(['stop']); },
    ipStory: (ip) => {
      calls.push(['ipStory', ip]);
      return {
        ip,
        jails: [
          { jail: 'sshd', failures: { count: 1, entries: [{ time: 900, lines: [`Failed password for root from ${ip}`] }] }, ban: bans[0] ?? null, ignoredBy: null },
          { jail: 'web-login', failures: { count: 0, entries: [] }, ban: null, ignoredBy: null },
        ],
        history: [{ jail: 'sshd', time: 1000, bantime: 600, banCount: 1, matches: [`Failed password for root from ${ip}`] }],
      };
    },
    activity: (since) => { calls.push(['activity', since]); return [{ jail: 'sshd', minute: 960, failures: 3, bans: 1 }]; },
    topOffenders: (since, limit) => {
      calls.push(['topOffenders', since, limit]);
      return { offenders: [{ ip: '203.0.113.5', failures: 3, bans: 1 }], networks: [{ network: '203.0.113.0/24', failures: 3, bans: 1 }] };
    },
    subscribe: () => () => undefined,
    ...overrides,
  };
  return { control, calls };
}

