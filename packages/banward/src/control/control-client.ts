import { createConnection } from 'node:net';
import { BanwardError } from '../errors.js';
import { LineSplitter } from './_line-splitter.js';
import { decodeResponse, encodeRequest, errorFromResponse, type OptionValue } from './protocol.js';

export interface SendOptions {
  /** How long to wait for the whole exchange (connect, request, reply). Default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Replies can be large (dump-config, thousands of bans) but not unbounded. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const REQUEST_ID = 1;

function unreachable(path: string, error: NodeJS.ErrnoException): BanwardError {
  const why: Record<string, string> = {
    ENOENT: `no control socket at ${path}: the banward daemon is not running, or uses another --socket`,
    ECONNREFUSED: `nothing listens on ${path}: the banward daemon is not running (the socket file is stale)`,
    EACCES: `permission denied on ${path}: run as root or as a member of the socket's group`,
    ENOTSOCK: `${path} is not a socket`,
  };
  const message = why[error.code ?? ''] ?? `cannot connect to the banward daemon at ${path}: ${error.message}`;
  return new BanwardError('BANWARD_ERR_DAEMON_UNREACHABLE', message, { cause: error });
}

/** What a streaming reply's lines go to once the daemon accepted the request. */
interface StreamSink {
  line(value: unknown): void;
  /** The stream is over: `error` unless the client closed it itself. */
  end(error?: BanwardError): void;
}

interface Opened {
  result: unknown;
  close(): void;
}

/**
 * One request on a fresh connection. Without `sink` the connection closes with the reply; with one it
 * stays open and every later line goes to the sink. `timeoutMs` bounds connecting and the reply only.
 */
function exchange(
  path: string, command: string, args: readonly string[], options: Readonly<Record<string, OptionValue>>,
  timeoutMs: number, sink?: StreamSink,
): Promise<Opened> {
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new BanwardError('BANWARD_ERR_USAGE', `the timeout must be a positive number of seconds, not ${timeoutMs / 1000}`);
  }
  const line = encodeRequest({ id: REQUEST_ID, command, args, options });
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const splitter = new LineSplitter(MAX_RESPONSE_BYTES);
    let connected = false;
    let answered = false;
    let over = false;
    const close = () => {
      over = true;
      socket.destroy();
    };
    const fail = (error: BanwardError) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      socket.destroy();
      if (answered) sink?.end(error);
      else reject(error);
    };

    const timer = setTimeout(() => fail(new BanwardError('BANWARD_ERR_DAEMON_UNREACHABLE',
      connected
        ? `the banward daemon at ${path} did not answer '${command}' within ${timeoutMs} ms`
        : `could not connect to the banward daemon at ${path} within ${timeoutMs} ms`)), timeoutMs);

    const take = (text: string) => {
      if (!answered) {
        const result = replyResult(text);
        answered = true;
        clearTimeout(timer);
        if (!sink) close();
        resolve({ result, close });
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        throw new BanwardError('BANWARD_ERR_PROTOCOL', `a streamed line from the daemon is not valid JSON: ${(cause as Error).message}`, { cause });
      }
      sink?.line(value);
    };
    socket.once('connect', () => {
      connected = true;
      socket.write(line);
    });
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      try {
        for (const text of lines) if (text.trim() !== '' && !over) take(text);
      } catch (error) {
        fail(error as BanwardError);
      }
      if (overflow) fail(new BanwardError('BANWARD_ERR_PROTOCOL', `a line from the daemon is longer than ${MAX_RESPONSE_BYTES} bytes`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      fail(connected
        ? new BanwardError('BANWARD_ERR_DAEMON_UNREACHABLE', `lost the connection to the banward daemon at ${path}: ${error.message}`, { cause: error })
        : unreachable(path, error));
    });
    socket.once('close', () => {
      fail(answered
        ? new BanwardError('BANWARD_ERR_DAEMON_UNREACHABLE', `the banward daemon at ${path} closed the '${command}' stream`)
        : new BanwardError('BANWARD_ERR_PROTOCOL', `the banward daemon at ${path} closed the connection without answering '${command}'`));
    });
  });
}

/** The result of the reply to our request; a refusal or a broken reply throws. */
function replyResult(text: string): unknown {
  const response = decodeResponse(text);
  if (response.id !== REQUEST_ID) {
    // id null: the daemon could not read our request at all (or refused the connection).
    if (!response.ok && response.id === null) throw errorFromResponse(response.error);
    throw new BanwardError('BANWARD_ERR_PROTOCOL', `the daemon answered request ${JSON.stringify(response.id)}, not ${REQUEST_ID}`);
  }
  if (!response.ok) throw errorFromResponse(response.error);
  return response.result;
}

/**
 * Sends one request to the daemon at `path` and returns its result. Throws BanwardError:
 * BANWARD_ERR_DAEMON_UNREACHABLE when the daemon cannot be reached or does not answer in time,
 * BANWARD_ERR_PROTOCOL for a reply that breaks the protocol, and the reply's own code for a refusal.
 */
export async function sendRequest(
  path: string,
  command: string,
  args: readonly string[] = [],
  options: Readonly<Record<string, OptionValue>> = {},
  { timeoutMs = DEFAULT_TIMEOUT_MS }: SendOptions = {},
): Promise<unknown> {
  return (await exchange(path, command, args, options, timeoutMs)).result;
}

/** An open `watch` stream (docs/protocol.md). */
export interface DaemonWatch {
  /** The daemon's reply to `watch`: `{ jails }`. */
  readonly result: unknown;
  /** Resolves when close() ended the stream; rejects when the daemon or the connection did. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens `watch` on the admin socket: `onEvent` gets every event line, decoded but unchecked. */
export async function watchDaemon(path: string, onEvent: (event: unknown) => void, { timeoutMs = DEFAULT_TIMEOUT_MS }: SendOptions = {}): Promise<DaemonWatch> {
  let settle: (error?: BanwardError) => void = () => undefined;
  const ended = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  // A failure before the reply rejects the open instead; the unused `ended` must not count as unhandled.
  ended.catch(() => undefined);
  const opened = await exchange(path, 'watch', [], {}, timeoutMs, { line: onEvent, end: (error) => settle(error) });
  return {
    result: opened.result,
    ended,
    close() {
      opened.close();
      settle();
    },
  };
}
