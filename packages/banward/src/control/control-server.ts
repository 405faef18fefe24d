import { createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { BanwardError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { CLOSE_GRACE_MS, Connection, type ControlHandler } from './_connection.js';
import { inodeOf, lockDownSocket, prepareSocketPath, resolveGroup } from './_socket-file.js';
import { encodeResponse, errorResponse } from './protocol.js';
import { StreamSlots } from './reply-stream.js';

export type { ControlHandler } from './_connection.js';

export interface ControlServerOptions {
  /** Where the socket file goes; its directory is created (0755) if missing. */
  path: string;
  /** A group name or gid that may use the socket: the file becomes 0660 and is chowned to it. */
  group?: string | number;
  /** The socket file's mode; defaults to 0600, or 0660 when `group` is given. */
  mode?: number;
  handler: ControlHandler;
  log: Logger;
  /**
   * Connections served at once. Default 64. One more closes the connection that has waited on its client
   * longest (idle, or leaving replies unread; never a streaming one); only when a handler is working for
   * every connection is the newcomer answered with an error.
   */
  maxConnections?: number;
  /** A connection with no request for this long, none in progress, is closed. Default 60 s. */
  idleTimeoutMs?: number;
  /** A request line must be complete this long after its first byte. Default 10 s. */
  lineTimeoutMs?: number;
  /** A client that leaves replies unread this long is disconnected. Default 60 s. */
  writeTimeoutMs?: number;
  /** Connections streaming at once (a handler returned a ReplyStream, as `watch` does). Default 16. */
  maxStreams?: number;
}

export interface ControlServer {
  readonly path: string;
  /** Stops listening, lets requests in progress answer (up to a few seconds), removes the socket file. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_LINE_TIMEOUT_MS = 10_000;
const DEFAULT_WRITE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_STREAMS = 16;

/** The connection to close for a newcomer: the one waiting on its client longest; none when handlers work for all. */
function longestWaiting(connections: Iterable<Connection>): Connection | undefined {
  let oldest: Connection | undefined;
  for (const connection of connections) {
    const since = connection.waitingSince;
    if (since !== undefined && (oldest === undefined || since < oldest.waitingSince!)) oldest = connection;
  }
  return oldest;
}

function refuse(socket: Socket, maxConnections: number): void {
  const error = new BanwardError('BANWARD_ERR_PROTOCOL', `the daemon is serving ${maxConnections} connections with requests in progress; try again`);
  socket.on('error', () => undefined);
  socket.end(encodeResponse(errorResponse(null, error)));
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new BanwardError('BANWARD_ERR_SOCKET', `cannot listen on control socket ${path}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    // Bind under umask 0177 so the file is never, even briefly, open wider than 0600. process.umask is
    // process-wide and not available in workers; the bind itself is synchronous, so the window is ours.
    const previous = isMainThread ? process.umask(0o177) : undefined;
    try {
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
}

/** Starts the daemon's control socket (docs/protocol.md). */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, handler, log } = options;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const limits = {
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    lineTimeoutMs: options.lineTimeoutMs ?? DEFAULT_LINE_TIMEOUT_MS,
    writeTimeoutMs: options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS,
  };
  const streamSlots = new StreamSlots(options.maxStreams ?? DEFAULT_MAX_STREAMS);
  const gid = options.group === undefined ? undefined : await resolveGroup(options.group);
  const mode = options.mode ?? (gid === undefined ? 0o600 : 0o660);

  await prepareSocketPath(path);
  const connections = new Set<Connection>();
  // Half-open: a client may send its requests and shut its side; it still gets every reply.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    if (connections.size >= maxConnections) {
      const victim = longestWaiting(connections);
      if (victim === undefined) {
        log.warn(`control: ${maxConnections} connections all have requests in progress; refusing one more`);
        refuse(socket, maxConnections);
        return;
      }
      log.debug(`control: ${maxConnections} connections open; closing the one waiting on its client longest to serve a new one`);
      connections.delete(victim);
      victim.destroy();
    }
    const connection = new Connection(socket, handler, log, limits, streamSlots);
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });
  await listen(server, path);
  server.on('error', (error) => log.error(`control: socket server error: ${error.message}`));
  const inode = await inodeOf(path);
  try {
    await lockDownSocket(path, mode, gid);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  log.info(`control: listening on ${path} (mode ${mode.toString(8).padStart(4, '0')}${gid === undefined ? '' : `, gid ${gid}`})`);

  let closing: Promise<void> | undefined;
  return {
    path,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const connection of connections) connection.shutdown();
        // A handler that never settles must not keep the daemon from exiting: its connection is dropped.
        const deadline = setTimeout(() => { for (const connection of connections) connection.destroy(); }, CLOSE_GRACE_MS);
        await stopped;
        clearTimeout(deadline);
        // libuv normally unlinks the socket itself; remove it only if it is still the file we made.
        if (inode !== null && (await inodeOf(path)) === inode) await rm(path, { force: true });
      })();
      return closing;
    },
  };
}
