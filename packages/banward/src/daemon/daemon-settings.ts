import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getOption, loadConfigStack, parseTimeValue } from '../config/index.js';
import { BanwardError } from '../errors.js';
import { readFleetSettings, type FleetSettings } from '../fleet/fleet-settings.js';
import { readHttpSettings, type HttpSettings } from '../http/http-settings.js';

/** The daemon's own settings: banward.conf, or fail2ban.conf when pointed at /etc/fail2ban. */
export interface DaemonSettings {
  /** Which file they came from (for messages). */
  source: string | null;
  /** Seconds of ban history kept for bantime.increment (dbpurgeage). */
  dbPurgeAge: number;
  logLevel: string | undefined;
  /** Seconds between comparisons of the firewall with the store (reconcileinterval). */
  reconcileInterval: number;
  /** Milliseconds one log line may hold a jail's filter before it is abandoned (linetimeout); 0: no bound. */
  lineTimeout: number;
  /** banward.conf's `[fleet]` (src/fleet); null: this node is no fleet's. */
  fleet: FleetSettings | null;
  /** The HTTP API and dashboard (`[http]`); null: off, the default. */
  http: HttpSettings | null;
}

/** What the command line changes in the settings: `banward server --http ADDR:PORT`. */
export interface SettingsOverrides {
  httpListen?: string;
}

const DEFAULT_PURGE_AGE = 24 * 3600;
const DEFAULT_RECONCILE = 30;
const DEFAULT_LINE_TIMEOUT_MS = 50;

/** The settings without banward.conf or fail2ban.conf. */
export const DEFAULT_DAEMON_SETTINGS: DaemonSettings = Object.freeze({
  source: null, dbPurgeAge: DEFAULT_PURGE_AGE, logLevel: undefined, reconcileInterval: DEFAULT_RECONCILE, lineTimeout: DEFAULT_LINE_TIMEOUT_MS, fleet: null, http: null,
});

/** `50ms`, or a time value in seconds as everywhere else (`0.05`, `1s`); `0` turns the bound off. */
function parseLineTimeout(option: { value: { text: string }; file: string; line: number }): number {
  const text = option.value.text.trim();
  const ms = /^(\d+(?:\.\d+)?)\s*ms$/i.exec(text);
  const value = ms ? Number(ms[1]) : parseTimeValue(text, { file: option.file, line: option.line, option: 'linetimeout' }) * 1000;
  if (!Number.isFinite(value) || value < 0) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `linetimeout must be a duration such as 50ms, not ${JSON.stringify(text)}`, { file: option.file, line: option.line });
  }
  return Math.round(value);
}

/**
 * Reads `[Definition]` of banward.conf (or fail2ban.conf). Paths in it (dbfile, socket, logtarget) are
 * not taken from fail2ban.conf: banward keeps its own state and socket, so both can run side by side.
 */
export function readDaemonSettings(configDir: string, overrides: SettingsOverrides = {}): DaemonSettings {
  const name = existsSync(join(configDir, 'banward.conf')) ? 'banward' : 'fail2ban';
  const stack = loadConfigStack(configDir, name);
  if (!stack) {
    if (overrides.httpListen === undefined) return DEFAULT_DAEMON_SETTINGS;
    return { ...DEFAULT_DAEMON_SETTINGS, http: readHttpSettings(undefined, join(configDir, `${name}.conf`), overrides.httpListen) };
  }
  const purge = getOption(stack, 'Definition', 'dbpurgeage');
  const level = getOption(stack, 'Definition', 'loglevel');
  const reconcile = getOption(stack, 'Definition', 'reconcileinterval');
  const lineTimeout = getOption(stack, 'Definition', 'linetimeout');
  return {
    source: join(configDir, `${name}.conf`),
    dbPurgeAge: purge === undefined ? DEFAULT_PURGE_AGE : parseTimeValue(purge.value.text),
    logLevel: level?.value.text.toLowerCase(),
    reconcileInterval: reconcile === undefined ? DEFAULT_RECONCILE : parseTimeValue(reconcile.value.text, { file: reconcile.file, line: reconcile.line, option: 'reconcileinterval' }),
    lineTimeout: lineTimeout === undefined ? DEFAULT_LINE_TIMEOUT_MS : parseLineTimeout(lineTimeout),
    fleet: name === 'banward' ? readFleetSettings(stack) : null,
    http: readHttpSettings(stack, join(configDir, `${name}.conf`), overrides.httpListen),
  };
}
