// banward's own integration harness (a real `banward server` on temp dirs; network namespaces), loaded from
// banward's build. The path is resolved at run time because this package compiles its tests one folder deeper
// (dist/test) than its sources (test), so a static relative import cannot be right for both.
type DaemonHelpers = typeof import('../../../banward/dist/test/integration/_daemon.js');
type NetnsHelpers = typeof import('../../../banward/dist/test/integration/_netns.js');

const fromBanward = (file: string) => new URL(`../../../../banward/dist/test/integration/${file}`, import.meta.url).href;

export const { makeDaemonDirs, startDaemon, stopDaemon, client, clientJson, bannedIps, waitFor } =
  await import(fromBanward('_daemon.js')) as DaemonHelpers;
export const { makeNetPair, inNs } = await import(fromBanward('_netns.js')) as NetnsHelpers;
import type { DaemonHarness } from '../../../banward/dist/test/integration/_daemon.js';

export type { DaemonHarness };

/** The addresses `jail` has banned, from `banward status JAIL`. */
export function bannedIn(h: DaemonHarness, jail: string): string[] {
  return clientJson<{ actions: { bannedIps: string[] } }>(h, 'status', jail).actions.bannedIps;
}

/** The daemon side of the example: the report-only `web-login` jail, five failures in ten minutes ban. */
export function webLoginJail(action: string, maxretry = 5): string {
  return `[DEFAULT]
# The tests' clients are loopback addresses, which ignoreself would never ban.
ignoreself = false
backend = auto

[web-login]
enabled = true
filter =
logpath =
maxretry = ${maxretry}
findtime = 10m
bantime = 1h
action = ${action}
`;
}
