import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file's text, or null when it does not exist. */
export function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replaces a file's contents in one step: a temporary file in the same directory (so the rename never
 * crosses a file system) with the old file's mode and owner, synced, then renamed over it. A reader —
 * tcpd, nginx on reload — sees the old file or the new one, never a half-written one.
 */
export function writeFileAtomic(path: string, text: string, newMode = 0o644): void {
  let mode = newMode;
  let owner: { uid: number; gid: number } | null = null;
  try {
    const st = statSync(path);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = join(dirname(path), `.${basename(path)}.banward-${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (owner) chownSync(temp, owner.uid, owner.gid);
    renameSync(temp, path);
  } catch (error) {
    try { unlinkSync(temp); } catch { /* already renamed or never made */ }
    throw error;
  }
}
