import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BanwardError } from '../errors.js';

/** Suffix of the shipped version written beside a file the admin changed. */
export const NEW_VERSION_SUFFIX = '.banward-new';

const MANIFEST_NAME = 'setup-manifest.json';

/**
 * What `banward setup` wrote, kept in the state dir: each installed path with the sha256 of the content
 * setup wrote there, or null when the file was the admin's and only `<path>.banward-new` is ours.
 * A file whose content still has that hash is setup's to update or remove; any other content is the admin's.
 */
export class InstalledFiles {
  private readonly hashes: Map<string, string | null>;
  private changed = false;

  private constructor(private readonly path: string, entries: Iterable<[string, string | null]>) {
    this.hashes = new Map(entries);
  }

  static read(stateDir: string): InstalledFiles {
    const path = join(stateDir, MANIFEST_NAME);
    if (!existsSync(path)) return new InstalledFiles(path, []);
    let files: unknown;
    try {
      files = (JSON.parse(readFileSync(path, 'utf8')) as { files?: unknown }).files;
    } catch (error) {
      throw new BanwardError('BANWARD_ERR_SETUP', `${path} is not setup's manifest: ${(error as Error).message}`, { cause: error });
    }
    const valid = typeof files === 'object' && files !== null && !Array.isArray(files)
      && Object.values(files).every((h) => h === null || (typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)));
    if (!valid) throw new BanwardError('BANWARD_ERR_SETUP', `${path} is not setup's manifest: "files" must map paths to sha256 hashes`);
    return new InstalledFiles(path, Object.entries(files as Record<string, string | null>));
  }

  get paths(): string[] {
    return [...this.hashes.keys()];
  }

  /** Whether the file at `path` is what setup last wrote there (false when missing or the admin's). */
  isOurs(path: string): boolean {
    const recorded = this.hashes.get(path);
    return recorded !== undefined && recorded !== null && existsSync(path) && sha256(readFileSync(path)) === recorded;
  }

  record(path: string, content: Buffer | null): void {
    const hash = content === null ? null : sha256(content);
    if (this.hashes.get(path) === hash && this.hashes.has(path)) return;
    this.hashes.set(path, hash);
    this.changed = true;
  }

  forget(path: string): void {
    this.changed = this.hashes.delete(path) || this.changed;
  }

  save(): void {
    if (!this.changed) return;
    writeAtomically(this.path, Buffer.from(JSON.stringify({ files: Object.fromEntries(this.hashes) }, null, 2) + '\n'), 0o600);
    this.changed = false;
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Writes beside the target and renames over it: a reader never sees half a file. */
export function writeAtomically(path: string, content: Buffer, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temp = `${path}.banward-tmp`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}

export type PlaceOutcome = 'created' | 'updated' | 'unchanged' | 'kept';

/**
 * Puts `content` at `path` unless the admin changed the file there: then it stays, the shipped
 * content goes to `<path>.banward-new`, and the outcome is `kept`. Returns what it did and one line
 * saying so; `changed` is false when nothing on disk moved (the second run of an idempotent setup).
 */
export function placeFile(path: string, content: Buffer, installed: InstalledFiles): { outcome: PlaceOutcome; changed: boolean; line: string } {
  const current = existsSync(path) ? readFileSync(path) : null;
  const beside = `${path}${NEW_VERSION_SUFFIX}`;
  if (current !== null && current.equals(content)) {
    installed.record(path, content);
    const stale = existsSync(beside);
    if (stale) rmSync(beside);
    return { outcome: 'unchanged', changed: stale, line: `unchanged ${path}${stale ? ` (removed ${beside}: the file is the shipped version)` : ''}` };
  }
  if (current === null || installed.isOurs(path)) {
    writeAtomically(path, content, 0o644);
    installed.record(path, content);
    return { outcome: current === null ? 'created' : 'updated', changed: true, line: `${current === null ? 'created' : 'updated'} ${path}` };
  }
  if (!installed.paths.includes(path)) installed.record(path, null);
  const besideCurrent = existsSync(beside) && readFileSync(beside).equals(content);
  if (!besideCurrent) writeAtomically(beside, content, 0o644);
  return { outcome: 'kept', changed: !besideCurrent, line: `kept ${path} (changed by the admin); the shipped version is in ${beside}` };
}
