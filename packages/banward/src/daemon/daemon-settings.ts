import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getOption, loadConfigStack } from '../config/index.js';
import { parseTimeValue } from '../jail/index.js';

/** The daemon's own settings: banward.conf, or fail2ban.conf when pointed at /etc/fail2ban. */
export interface DaemonSettings {
  /** Which file they came from (for messages). */
  source: string | null;
  /** Seconds of ban history kept for bantime.increment (dbpurgeage). */
  dbPurgeAge: number;
  logLevel: string | undefined;
  /** Seconds between comparisons of the firewall with the store (reconcileinterval). */
  reconcileInterval: number;
}

const DEFAULT_PURGE_AGE = 24 * 3600;
const DEFAULT_RECONCILE = 30;

/**
 * Reads `[Definition]` of banward.conf (or fail2ban.conf). Paths in it (dbfile, socket, logtarget) are
 * not taken from fail2ban.conf: banward keeps its own state and socket, so both can run side by side.
 */
export function readDaemonSettings(configDir: string): DaemonSettings {
  const name = existsSync(join(configDir, 'banward.conf')) ? 'banward' : 'fail2ban';
  const stack = loadConfigStack(configDir, name);
  if (!stack) return { source: null, dbPurgeAge: DEFAULT_PURGE_AGE, logLevel: undefined, reconcileInterval: DEFAULT_RECONCILE };
  const purge = getOption(stack, 'Definition', 'dbpurgeage');
  const level = getOption(stack, 'Definition', 'loglevel');
  const reconcile = getOption(stack, 'Definition', 'reconcileinterval');
  return {
    source: join(configDir, `${name}.conf`),
    dbPurgeAge: purge === undefined ? DEFAULT_PURGE_AGE : parseTimeValue(purge.value.text),
    logLevel: level?.value.text.toLowerCase(),
    reconcileInterval: reconcile === undefined ? DEFAULT_RECONCILE : parseTimeValue(reconcile.value.text, { file: reconcile.file, line: reconcile.line, option: 'reconcileinterval' }),
  };
}
