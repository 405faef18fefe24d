import { chmod, chown, lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { BanwardError } from '../errors.js';

/** How the socket file is prepared before `listen` and locked down after it. */

const PROBE_TIMEOUT_MS = 1000;

/** A gid from a number, a numeric string, or a group name looked up in /etc/group. */
export async function resolveGroup(group: string | number, groupFile = '/etc/group'): Promise<number> {
  if (typeof group === 'number' || /^\d+$/.test(group)) {
    const gid = Number(group);
    if (Number.isSafeInteger(gid) && gid >= 0) return gid;
  } else {
    let text = '';
    try {
      text = await readFile(groupFile, 'utf8');
    } catch (cause) {
      throw new BanwardError('BANWARD_ERR_SOCKET', `cannot read ${groupFile} to find socket group '${group}'`, { cause });
    }
    for (const line of text.split('\n')) {
      const [name, , gid] = line.split(':');
      if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
    }
  }
  throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `socket group '${group}' is neither a gid nor a group in ${groupFile}`);
}

/** Whether something accepts connections on `path` (a live daemon) — a refused connect means a stale file. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    // A daemon too busy to accept within the probe time is still alive: never delete its socket.
    socket.setTimeout(PROBE_TIMEOUT_MS, () => { socket.destroy(); resolve(true); });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(false);
      else reject(new BanwardError('BANWARD_ERR_SOCKET', `cannot check the existing control socket ${path}: ${error.message}`, { cause: error }));
    });
  });
}

/**
 * Makes `path` free for a new socket: creates its directory (0755) if missing and removes a stale socket
 * left by a daemon that died. Refuses when a daemon answers there or when the path is not a socket —
 * banward never deletes a file it did not create.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  } catch (cause) {
    throw new BanwardError('BANWARD_ERR_SOCKET', `cannot create the directory of control socket ${path}: ${(cause as Error).message}`, { cause });
  }
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new BanwardError('BANWARD_ERR_SOCKET', `cannot inspect control socket ${path}: ${error.message}`, { cause: error });
  });
  if (stat === null) return;
  if (!stat.isSocket()) {
    throw new BanwardError('BANWARD_ERR_SOCKET', `${path} exists and is not a socket; remove it or choose another socket path`);
  }
  if (await answers(path)) {
    throw new BanwardError('BANWARD_ERR_SOCKET',
      `a banward daemon is already running on ${path}; stop it first (banward stop) or choose another socket path`);
  }
  await rm(path, { force: true });
}

/** Sets the socket's group (if any) first and its mode second, so the group never has access too early. */
export async function lockDownSocket(path: string, mode: number, gid: number | undefined): Promise<void> {
  try {
    if (gid !== undefined) await chown(path, -1, gid);
    await chmod(path, mode);
  } catch (cause) {
    throw new BanwardError('BANWARD_ERR_SOCKET', `cannot set owner or mode of control socket ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** The inode of the socket we created, so `close()` removes only our own file. */
export async function inodeOf(path: string): Promise<number | null> {
  return lstat(path).then((s) => s.ino, () => null);
}
