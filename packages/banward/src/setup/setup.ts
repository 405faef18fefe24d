import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { BanwardError } from '../errors.js';
import { exitText, type ProcessResult } from '../process/index.js';
import { InstalledFiles, NEW_VERSION_SUFFIX, placeFile } from './_installed-files.js';

export const UNIT_NAME = 'banward.service';
export const LOGROTATE_NAME = 'banward';

/** Where setup installs; each is a flag of `banward setup`, so tests run it into temp dirs. */
export interface SetupPaths {
  configDir: string;
  stateDir: string;
  unitDir: string;
  logrotateDir: string;
}

/** What ships in the package: the config tree, the unit and the logrotate file, and the command that runs banward. */
export interface ShippedFiles {
  configDir: string;
  unitFile: string;
  logrotateFile: string;
  /** How the unit starts banward: `/usr/bin/node /usr/lib/node_modules/banward/bin/banward.js`. */
  command: readonly string[];
}

/** systemd as setup sees it: whether it manages this machine, and systemctl. */
export interface Systemd {
  /** Null when systemd runs here; else why setup does not call systemctl. */
  notRunning(): string | null;
  systemctl(args: readonly string[]): Promise<ProcessResult>;
}

export interface SetupOptions {
  paths: SetupPaths;
  shipped: ShippedFiles;
  systemd: Systemd;
  /** Each line of what setup does, as it does it. */
  readonly say: (line: string) => void;
}

/** Samples are the filters' test logs: they stay in the package, not in /etc. */
const NOT_INSTALLED = new Set(['samples']);

/** Every regular file of the shipped config, relative to it, in a stable order. */
function configFiles(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true })
    .filter((e) => !(under === '' && NOT_INSTALLED.has(e.name)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? configFiles(dir, join(under, e.name)) : e.isFile() ? [join(under, e.name)] : []));
}

/** systemd reads `%` and `$` in ExecStart; a path with them, or with blanks or quotes, is refused, not escaped. */
const UNIT_SAFE_PATH = /^\/[A-Za-z0-9._+@:/-]*$/;

/** The shipped unit (written for the .deb's /usr/bin/banward and default paths) for this install's paths. */
export function unitFor(shipped: string, command: readonly string[], paths: SetupPaths): string {
  for (const word of [...command, paths.configDir, paths.stateDir]) {
    if (!UNIT_SAFE_PATH.test(word)) throw new BanwardError('BANWARD_ERR_SETUP', `cannot write ${JSON.stringify(word)} into a systemd unit: use a path of letters, digits and ._+@:/-`);
  }
  const replacements: ReadonlyMap<string, string> = new Map([
    ['/usr/bin/banward', command.join(' ')], ['/etc/banward', paths.configDir], ['/var/lib/banward', paths.stateDir],
  ]);
  return shipped.split('\n').map((line) => {
    if (!line.startsWith('ExecStart=')) return line;
    return 'ExecStart=' + line.slice('ExecStart='.length).split(' ').map((w) => replacements.get(w) ?? w).join(' ');
  }).join('\n');
}

/** A systemctl call that changes something: it must succeed, and setup says it ran it. */
async function systemctl(systemd: Systemd, say: (line: string) => void, args: readonly string[]): Promise<void> {
  const result = await systemd.systemctl(args);
  if (!result.ok) throw new BanwardError('BANWARD_ERR_SETUP', `systemctl ${args.join(' ')} failed: ${result.stderr.trim() || exitText(result)}`);
  say(`ran systemctl ${args.join(' ')}`);
}

function makeStateDir(stateDir: string, say: (line: string) => void): boolean {
  if (existsSync(stateDir)) {
    if ((statSync(stateDir).mode & 0o777) === 0o700) return false;
    chmodSync(stateDir, 0o700);
    say(`set ${stateDir} to mode 0700`);
    return true;
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);
  say(`created ${stateDir} (mode 0700)`);
  return true;
}

/**
 * `banward setup`: the config tree, the state dir, the unit and the logrotate file, then systemctl
 * when systemd runs and `enable` is asked. Never overwrites a file the admin changed. Returns whether
 * anything changed (a second run changes nothing).
 */
export async function runSetup(options: SetupOptions & { enable: boolean }): Promise<boolean> {
  const { paths, shipped, systemd, say } = options;
  let changed = makeStateDir(paths.stateDir, say);
  const installed = InstalledFiles.read(paths.stateDir);
  const place = (path: string, content: Buffer) => {
    const placed = placeFile(path, content, installed);
    if (placed.outcome !== 'unchanged' || placed.changed) say(placed.line);
    changed ||= placed.changed;
    return placed;
  };
  for (const file of configFiles(shipped.configDir)) place(join(paths.configDir, file), readFileSync(join(shipped.configDir, file)));
  const unit = place(join(paths.unitDir, UNIT_NAME), Buffer.from(unitFor(readFileSync(shipped.unitFile, 'utf8'), shipped.command, paths)));
  // The unit runs with PrivateTmp=yes: a program under /tmp here is not there for the service.
  const hidden = shipped.command.find((word) => /^\/(var\/)?tmp\//.test(word));
  if (hidden !== undefined) say(`warning: ${hidden} is under a temporary directory, which the unit's PrivateTmp hides from the service: install banward elsewhere (npm install -g, or the .deb) for the unit to start`);
  place(join(paths.logrotateDir, LOGROTATE_NAME), readFileSync(shipped.logrotateFile));
  installed.save();
  const why = systemd.notRunning();
  if (why !== null) {
    say(`did not run systemctl: ${why}; start the daemon with: ${shipped.command.join(' ')} server --config ${paths.configDir} --state-dir ${paths.stateDir}`);
  } else {
    if (unit.changed) await systemctl(systemd, say, ['daemon-reload']);
    if (!options.enable) {
      say(`did not enable ${UNIT_NAME} (--no-enable)`);
    } else if ((await systemd.systemctl(['is-enabled', '--quiet', UNIT_NAME])).ok && (await systemd.systemctl(['is-active', '--quiet', UNIT_NAME])).ok) {
      say(`${UNIT_NAME} is enabled and running`);
    } else {
      await systemctl(systemd, say, ['enable', '--now', UNIT_NAME]);
      changed = true;
    }
  }
  say(changed ? 'setup done' : 'setup done: nothing changed, everything was in place');
  return changed;
}

/** Removes directories under (and including) `dir` that are empty, deepest first. */
function removeEmptyDirs(dir: string, say: (line: string) => void): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmptyDirs(join(dir, e.name), say);
  if (readdirSync(dir).length > 0) return;
  rmdirSync(dir);
  say(`removed ${dir}/`);
}

/**
 * `banward setup --remove`: stops and disables the unit, removes every file setup installed that is
 * still as it wrote it (and the `.banward-new` files beside the admin's); keeps the admin's files and the
 * state dir (the bans) unless `purge`.
 */
export async function runRemove(options: SetupOptions & { purge: boolean }): Promise<void> {
  const { paths, systemd, say, purge } = options;
  const installed = InstalledFiles.read(paths.stateDir);
  const unitPath = join(paths.unitDir, UNIT_NAME);
  const why = systemd.notRunning();
  if (why === null && existsSync(unitPath)) await systemctl(systemd, say, ['disable', '--now', UNIT_NAME]);
  for (const path of installed.paths) {
    if (existsSync(`${path}${NEW_VERSION_SUFFIX}`)) {
      rmSync(`${path}${NEW_VERSION_SUFFIX}`);
      say(`removed ${path}${NEW_VERSION_SUFFIX}`);
    }
    if (!existsSync(path)) continue;
    const ours = installed.isOurs(path);
    if (ours || purge) {
      rmSync(path);
      say(`removed ${path}${ours ? '' : ' (changed by the admin; --purge)'}`);
    } else {
      say(`kept ${path} (changed by the admin)`);
    }
  }
  removeEmptyDirs(paths.configDir, say);
  if (why === null) await systemctl(systemd, say, ['daemon-reload']);
  else say(`did not run systemctl: ${why}`);
  if (purge) {
    rmSync(paths.stateDir, { recursive: true, force: true });
    say(`removed ${paths.stateDir}/ (the bans and ban history)`);
  } else {
    installed.remove();
    if (existsSync(paths.stateDir)) say(`kept ${paths.stateDir}/ (the bans and ban history; --purge removes it)`);
  }
  say('setup removed');
}

