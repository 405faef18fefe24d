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
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new BanwardError('BANWARD_ERR_USAGE', `the timeout must be a positive number of seconds, not ${timeoutMs / 1000}`);
  }
  const line = encodeRequest({ id: REQUEST_ID, command, args, options });
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const splitter = new LineSplitter(MAX_RESPONSE_BYTES);
    let connected = false;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const fail = (error: BanwardError) => settle(() => reject(error));

    const timer = setTimeout(() => fail(new BanwardError('BANWARD_ERR_DAEMON_UNREACHABLE',
      connected
        ? `the banward daemon at ${path} did not answer '${command}' within ${timeoutMs} ms`
        : `could not connect to the banward daemon at ${path} within ${timeoutMs} ms`)), timeoutMs);

    socket.once('connect', () => {
      connected = true;
      socket.write(line);
    });
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      const first = lines.find((l) => l.trim() !== '');
      if (first === undefined) {
        if (overflow) fail(new BanwardError('BANWARD_ERR_PROTOCOL', `the daemon's reply is longer than ${MAX_RESPONSE_BYTES} bytes`));
        return;
      }
      try {
        const response = decodeResponse(first);
        if (response.id !== REQUEST_ID) {
          // id null: the daemon could not read our request at all (or refused the connection).
          if (!response.ok && response.id === null) throw errorFromResponse(response.error);
          throw new BanwardError('BANWARD_ERR_PROTOCOL', `the daemon answered request ${JSON.stringify(response.id)}, not ${REQUEST_ID}`);
        }
        if (response.ok) settle(() => resolve(response.result));
        else fail(errorFromResponse(response.error));
      } catch (error) {
        fail(error as BanwardError);
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      fail(connected
        ? new BanwardError('BANWARD_ERR_DAEMON_UNREACHABLE', `lost the connection to the banward daemon at ${path}: ${error.message}`, { cause: error })
        : unreachable(path, error));
    });
    socket.once('close', () => {
      fail(new BanwardError('BANWARD_ERR_PROTOCOL', `the banward daemon at ${path} closed the connection without answering '${command}'`));
    });
  });
}
