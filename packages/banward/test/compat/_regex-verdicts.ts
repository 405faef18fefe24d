import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFail2banPython } from '../_fail2ban-python.js';
import { BANWARD_BIN } from './_sample-suite.js';

export interface Verdict { line: number; fid: string | null; time: number | null }

/** Writes `lines` to a log file and hands its path to `use`; the file is removed afterwards. */
export function withLog<T>(lines: string[], use: (log: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'banward-verdicts-'));
  try {
    const log = join(dir, 'app.log');
    writeFileSync(log, lines.map((l) => `${l}\n`).join(''));
    return use(log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `banward regex --json` over `log` with a bundled filter: one verdict per line, in order. */
export function banwardVerdicts(log: string, filter: string): Verdict[] {
  const run = spawnSync(process.execPath, [BANWARD_BIN, 'regex', '--json', log, filter], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Verdict & { summary?: unknown }).filter((v) => v.summary === undefined);
}

/** Plain fail2ban-regex (Debian's) over `log` with the filter file `filterPath`: the addresses it found, in order. */
export function fail2banAddresses(log: string, filterPath: string): string[] {
  const python = findFail2banPython('fail2ban');
  const run = spawnSync(python, ['/usr/bin/fail2ban-regex', '-o', 'ip', log, filterPath], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split('\n').filter(Boolean);
}
