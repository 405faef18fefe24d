import { existsSync } from 'node:fs';
import type { JailOptions } from '../jail/index.js';
import { findExecutable } from '../source/index.js';

/**
 * `backend = auto` reads the files; but when none of them exists, the filter says how to find its lines
 * in the journal (journalmatch) and the machine has one (a Debian without rsyslog has no auth.log), it
 * reads the journal, so a default sshd jail works either way. Otherwise it waits for the files.
 */
export function chooseBackend(options: JailOptions, journalmatch: () => readonly unknown[]): string {
  if (options.backend !== 'auto' || !options.filter) return options.backend;
  const fixed = options.logpath.filter((p) => !/[*?[]/.test(p.path));
  const noFiles = fixed.length === options.logpath.length && fixed.every((p) => !existsSync(p.path));
  if (!noFiles || !findExecutable('journalctl')) return 'auto';
  return journalmatch().length > 0 ? 'systemd' : 'auto';
}
