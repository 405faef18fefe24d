/**
 * The runtime checks of a jail's log files: what test-config and the daemon's start say about files that
 * are missing (the jail waits for them), unreadable or not files at all (it will read nothing from them).
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { LogPath } from '../jail/index.js';

export interface LogChecks {
  notices: string[];
  warnings: string[];
}

export function checkLogPaths(logpath: readonly LogPath[]): LogChecks {
  const out: LogChecks = { notices: [], warnings: [] };
  for (const { path } of logpath) {
    if (/[*?[]/.test(path)) continue;
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') out.notices.push(`${path} does not exist yet: the jail reads it when it appears`);
      else out.warnings.push(`${path} cannot be read (${code ?? String(error)}): the jail reads nothing from it`);
      continue;
    }
    if (!isFile) {
      out.warnings.push(`${path} is not a file: the jail reads nothing from it`);
      continue;
    }
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      out.warnings.push(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): the jail reads nothing from it until it can`);
    }
  }
  return out;
}
