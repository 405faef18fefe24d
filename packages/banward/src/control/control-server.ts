import { createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { BanwardError, isBanwardError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { LineSplitter } from './_line-splitter.js';
import { inodeOf, lockDownSocket, prepareSocketPath, resolveGroup } from './_socket-file.js';
import {
  MAX_REQUEST_BYTES, decodeRequest, encodeResponse, errorResponse, successResponse,
  type ControlRequest, type ControlResponse, type RequestId,
} from './protocol.js';

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

export interface ControlServerOptions {
  /** Where the socket file goes; its directory is created (0755) if missing. */
  path: string;
  /** A group name or gid that may use the socket: the file becomes 0660 and is chowned to it. */
  group?: string | number;
  /** The socket file's mode; defaults to 0600, or 0660 when `group` is given. */
  mode?: number;
  handler: ControlHandler;
  log: Logger;
  /** Connections served at once; one more is answered with an error and closed. Default 64. */
  maxConnections?: number;
  /** A connection with no traffic and no request in progress for this long is closed. Default 60 s. */
  idleTimeoutMs?: number;
}

export interface ControlServer {
  readonly path: string;
  /** Stops listening, lets requests in progress answer (up to a few seconds), removes the socket file. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const CLOSE_GRACE_MS = 3000;
/** Requests waiting on one connection before we stop reading from it (backpressure, not a limit). */
const QUEUE_HIGH_WATER = 16;

type Work = { line: string } | { fault: ControlResponse };

/** One client connection: a queue of lines answered strictly in order, one at a time. */
class Connection {
  private readonly queue: Work[] = [];
  private readonly splitter = new LineSplitter(MAX_REQUEST_BYTES);
  private busy = false;
  private finished = false;
  private closing = false;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ControlHandler,
    private readonly log: Logger,
    private readonly idleTimeoutMs: number,
  ) {
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A client that vanishes mid-reply is its own problem; the server only forgets it.
    socket.on('error', (error) => this.log.debug(`control: client connection error: ${error.message}`));
  }

  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  private receive(chunk: Buffer): void {
    if (this.finished) return;
    const { lines, overflow } = this.splitter.push(chunk);
    for (const line of lines) if (line.trim() !== '') this.queue.push({ line });
    if (overflow) {
      const error = new BanwardError('BANWARD_ERR_PROTOCOL', `request longer than ${MAX_REQUEST_BYTES} bytes without a newline; closing the connection`);
      this.queue.push({ fault: errorResponse(null, error) });
      this.finished = true;
    }
    if (this.queue.length >= QUEUE_HIGH_WATER) this.socket.pause();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.socket.setTimeout(0);
    while (this.queue.length > 0 && !this.socket.destroyed) {
      const work = this.queue.shift()!;
      const { response, fatal } = 'fault' in work ? { response: work.fault, fatal: true } : await this.answer(work.line);
      if (this.socket.destroyed) break;
      if (fatal) {
        this.finish(encodeResponse(response));
        break;
      }
      this.socket.write(encodeResponse(response));
    }
    this.busy = false;
    if (this.socket.destroyed || this.finished) return;
    if (this.closing) return this.finish();
    this.socket.setTimeout(this.idleTimeoutMs);
    this.socket.resume();
  }

  private async answer(line: string): Promise<{ response: ControlResponse; fatal: boolean }> {
    const decoded = decodeRequest(line);
    if ('fault' in decoded) {
      this.log.debug(`control: refused a request: ${decoded.fault.error.message}`);
      return { response: errorResponse(decoded.fault.id, decoded.fault.error), fatal: decoded.fault.fatal };
    }
    const { request } = decoded;
    try {
      return { response: successResponse(request.id, await this.handler(request)), fatal: false };
    } catch (error) {
      return { response: errorResponse(request.id, this.asBanwardError(request.command, request.id, error)), fatal: false };
    }
  }

  private asBanwardError(command: string, id: RequestId, error: unknown): BanwardError {
    if (isBanwardError(error)) return error;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.log.error(`control: command '${command}' (request ${JSON.stringify(id)}) failed: ${detail}`);
    const message = error instanceof Error ? error.message : String(error);
    return new BanwardError('BANWARD_ERR_COMMAND', `internal error in '${command}': ${message} (details in the daemon log)`, { cause: error });
  }

  /** Sends a last line (if any), half-closes, and drops the socket if the peer does not close soon. */
  finish(last?: string): void {
    this.finished = true;
    this.queue.length = 0;
    this.socket.resume(); // keep draining the peer's bytes so it sees our reply, not a reset
    if (last === undefined) this.socket.end();
    else this.socket.end(last);
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Server shutdown: close now if idle, else right after the request in progress is answered. */
  shutdown(): void {
    this.closing = true;
    if (this.idle && !this.finished) this.finish();
  }

  destroy(): void {
    this.socket.destroy();
  }
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
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const gid = options.group === undefined ? undefined : await resolveGroup(options.group);
  const mode = options.mode ?? (gid === undefined ? 0o600 : 0o660);

  await prepareSocketPath(path);
  const connections = new Set<Connection>();
  const server = createServer((socket) => {
    const connection = new Connection(socket, handler, log, idleTimeoutMs);
    if (connections.size >= maxConnections) {
      log.warn(`control: ${maxConnections} connections already open; refusing one more`);
      const error = new BanwardError('BANWARD_ERR_PROTOCOL', `the daemon is serving ${maxConnections} connections already; try again`);
      connection.finish(encodeResponse(errorResponse(null, error)));
      return;
    }
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
        // A handler that never settles must not keep the daemon from exiting.
        const deadline = setTimeout(() => { for (const connection of connections) connection.destroy(); }, CLOSE_GRACE_MS);
        deadline.unref();
        await stopped;
        clearTimeout(deadline);
        // libuv normally unlinks the socket itself; remove it only if it is still the file we made.
        if (inode !== null && (await inodeOf(path)) === inode) await rm(path, { force: true });
      })();
      return closing;
    },
  };
}
