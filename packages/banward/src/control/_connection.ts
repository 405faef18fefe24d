import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BanwardError, isBanwardError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { LineSplitter } from './_line-splitter.js';
import { ReplyStream, type StreamSlots } from './reply-stream.js';
import {
  MAX_REQUEST_BYTES, decodeRequest, encodeResponse, errorResponse, successResponse,
  type ControlRequest, type ControlResponse, type RequestId,
} from './protocol.js';

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

export interface ConnectionLimits {
  /** No request for this long, none in progress: closed. Blank lines and unfinished lines do not count. */
  idleTimeoutMs: number;
  /** A request line must end (newline) this long after its first byte arrived. */
  lineTimeoutMs: number;
  /** Replies the client leaves unread for this long: the connection is dropped. */
  writeTimeoutMs: number;
}

/** How long a closing connection may take to collect its last reply before it is dropped. */
export const CLOSE_GRACE_MS = 3000;
/** Requests waiting on one connection before we stop reading from it. */
const QUEUE_HIGH_WATER = 16;

/** Streamed lines a client may leave unread before its connection is dropped. */
export const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

type Work = { line: string } | { fault: ControlResponse };

interface Answer {
  text: string;
  fatal: boolean;
  /** The reply opened a stream: after `text`, the connection sends the stream's lines until it closes. */
  stream?: ReplyStream;
}

/**
 * One client connection: a queue of lines answered strictly in order, one at a time. What a client can
 * make the daemon hold is bounded: at most QUEUE_HIGH_WATER queued lines plus one read chunk, one
 * unfinished line of MAX_REQUEST_BYTES, and one reply beyond the socket's high-water mark — a reply is
 * written only once the previous ones have been taken by the peer.
 */
export class Connection {
  private readonly queue: Work[] = [];
  private readonly splitter = new LineSplitter(MAX_REQUEST_BYTES);
  private busy = false;
  private reading = true;
  /** No more requests are read (a fatal line, eviction); the socket is closing. */
  private finished = false;
  /** Server shutdown or the peer half-closed: close once the queued requests are answered. */
  private closing = false;
  /** A reply opened a stream: no more requests are read, the stream's lines are written until close. */
  private streaming = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lineTimer: NodeJS.Timeout | undefined;
  /**
   * Since when the connection has been waiting on its client — idle, closing, or with replies unread —
   * undefined while a handler works for it. When full, the server closes the one waiting longest.
   */
  waitingSince: number | undefined = performance.now();

  constructor(
    private readonly socket: Socket,
    private readonly handler: ControlHandler,
    private readonly log: Logger,
    private readonly limits: ConnectionLimits,
    private readonly streamSlots: StreamSlots,
  ) {
    this.armIdle();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.peerEnded());
    // A client that vanishes mid-reply is its own problem; the server only forgets it.
    socket.on('error', (error) => this.log.debug(`control: client connection error: ${error.message}`));
    socket.once('close', () => {
      clearTimeout(this.idleTimer);
      clearTimeout(this.lineTimer);
      this.queue.length = 0;
    });
  }

  /** Nothing queued and nothing in progress: closing it loses no request. */
  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  private receive(chunk: Buffer): void {
    if (this.finished) return;
    const { lines, overflow } = this.splitter.push(chunk);
    const requests = lines.filter((line) => line.trim() !== '');
    for (const line of requests) this.queue.push({ line });
    if (requests.length > 0) clearTimeout(this.idleTimer);
    if (overflow) {
      this.fail(`request longer than ${MAX_REQUEST_BYTES} bytes without a newline; closing the connection`);
      return;
    }
    if (lines.length > 0) this.stopLineClock();
    this.startLineClock();
    if (this.queue.length >= QUEUE_HIGH_WATER) this.pauseReading();
    // Only a request restarts the idle clock (when it has been answered); a blank line does not.
    if (requests.length > 0) this.kick();
  }

  /** Queues a last error reply for what the client sent and stops reading. */
  private fail(message: string): void {
    this.queue.push({ fault: errorResponse(null, new BanwardError('BANWARD_ERR_PROTOCOL', message)) });
    this.finished = true;
    this.stopLineClock();
    clearTimeout(this.idleTimer);
    this.kick();
  }

  private startLineClock(): void {
    if (this.lineTimer !== undefined || !this.reading || this.finished || this.splitter.unfinishedBytes === 0) return;
    this.lineTimer = setTimeout(() => {
      this.lineTimer = undefined;
      this.log.debug(`control: a request line was not finished within ${this.limits.lineTimeoutMs} ms; closing the connection`);
      this.fail(`a request line must end within ${this.limits.lineTimeoutMs} ms of its first byte; closing the connection`);
    }, this.limits.lineTimeoutMs);
  }

  private stopLineClock(): void {
    clearTimeout(this.lineTimer);
    this.lineTimer = undefined;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.socket.destroy(), this.limits.idleTimeoutMs);
  }

  // The unfinished line's clock stops while we are the ones not reading.
  private pauseReading(): void {
    this.reading = false;
    this.socket.pause();
    this.stopLineClock();
  }

  private resumeReading(): void {
    this.reading = true;
    this.socket.resume();
    this.startLineClock();
  }

  private peerEnded(): void {
    this.closing = true;
    this.stopLineClock();
    if ((this.idle && !this.finished) || this.streaming) this.finish();
  }

  private kick(): void {
    this.drain().catch((error: unknown) => {
      // drain() catches everything itself; this is the last guard that keeps a rejection from ending the daemon.
      this.log.error(`control: connection failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      this.socket.destroy();
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.waitingSince = undefined;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        const work = this.queue.shift()!;
        const { text, fatal, stream }: Answer = 'fault' in work ? { text: encodeResponse(work.fault), fatal: true } : await this.answer(work.line);
        if (this.socket.destroyed) break;
        if (stream) {
          this.startStream(text, stream);
          break;
        }
        if (fatal) {
          this.finish(text);
          break;
        }
        if (!this.socket.write(text)) await this.outputTaken();
      }
    } finally {
      this.busy = false;
    }
    if (this.socket.destroyed || this.finished) return;
    if (this.closing) return this.finish();
    this.waitingSince = performance.now();
    this.armIdle();
    if (!this.reading) this.resumeReading();
  }

  /** Waits until the peer has read what we wrote; a peer that does not read in time is dropped. */
  private outputTaken(): Promise<void> {
    this.pauseReading();
    this.waitingSince = performance.now();
    return new Promise((resolve) => {
      const done = () => {
        this.waitingSince = undefined;
        clearTimeout(timer);
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.log.warn(`control: a client left ${this.socket.writableLength} bytes of replies unread for ${this.limits.writeTimeoutMs} ms; closing its connection`);
        this.socket.destroy();
      }, this.limits.writeTimeoutMs);
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private async answer(line: string): Promise<Answer> {
    const decoded = decodeRequest(line);
    if ('fault' in decoded) {
      this.log.debug(`control: refused a request: ${decoded.fault.error.message}`);
      return { text: encodeResponse(errorResponse(decoded.fault.id, decoded.fault.error)), fatal: decoded.fault.fatal };
    }
    const { request } = decoded;
    let response: ControlResponse;
    let stream: ReplyStream | undefined;
    try {
      const result = await this.handler(request);
      if (result instanceof ReplyStream) {
        this.claimStreamSlot();
        stream = result;
      }
      response = successResponse(request.id, stream ? stream.result : result);
    } catch (error) {
      response = errorResponse(request.id, this.asBanwardError(request.command, request.id, error));
    }
    try {
      return { text: encodeResponse(response), fatal: false, ...(stream ? { stream } : {}) };
    } catch (error) {
      // A result JSON cannot carry (a BigInt, a cycle) is that request's error, not the daemon's end.
      return { text: encodeResponse(errorResponse(request.id, this.asBanwardError(request.command, request.id, error))), fatal: false };
    }
  }

  /** Counts this connection among the server's streams until it closes, or refuses when they are all taken. */
  private claimStreamSlot(): void {
    if (this.socket.destroyed) throw new BanwardError('BANWARD_ERR_COMMAND', 'the connection closed before its stream began');
    if (!this.streamSlots.take()) {
      throw new BanwardError('BANWARD_ERR_COMMAND', `the daemon already streams to ${this.streamSlots.max} clients; close one and try again`);
    }
    this.socket.once('close', () => this.streamSlots.release());
  }

  /**
   * Writes the reply, then every line the stream sends. Without a write queue of our own the socket's
   * buffer is the backlog: past MAX_STREAM_BACKLOG_BYTES unread the client is dropped, so a watcher that
   * stops reading costs at most that much. The idle clock is off: a quiet stream is not an idle client.
   */
  private startStream(reply: string, stream: ReplyStream): void {
    this.streaming = true;
    this.finished = true; // what the client sends from now on is read and dropped
    this.queue.length = 0;
    clearTimeout(this.idleTimer);
    this.stopLineClock();
    this.socket.resume();
    this.socket.write(reply);
    const stop = stream.start((value) => this.sendStreamed(value));
    this.socket.once('close', stop);
    if (this.closing) this.finish();
  }

  private sendStreamed(value: unknown): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    if (this.socket.writableLength > MAX_STREAM_BACKLOG_BYTES) {
      this.log.warn(`control: a client left more than ${MAX_STREAM_BACKLOG_BYTES} bytes of streamed lines unread; closing its connection`);
      this.socket.destroy();
      return;
    }
    this.socket.write(`${JSON.stringify(value)}\n`);
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
    this.waitingSince = performance.now();
    this.queue.length = 0;
    clearTimeout(this.idleTimer);
    this.stopLineClock();
    this.socket.resume(); // keep draining the peer's bytes so it sees our reply, not a reset
    if (last === undefined) this.socket.end();
    else this.socket.end(last);
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Server shutdown: close now if idle, else right after the request in progress is answered. */
  shutdown(): void {
    this.closing = true;
    if ((this.idle && !this.finished) || this.streaming) this.finish();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
