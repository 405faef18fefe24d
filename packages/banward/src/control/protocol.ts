import { BanwardError, ERROR_CODES, type ErrorCode } from '../errors.js';
import { findDuplicateKey } from './_duplicate-keys.js';

/**
 * The control protocol (docs/protocol.md): newline-delimited JSON over a Unix socket, one request per
 * line, one response line per request, answered in order (`watch` then streams events on its
 * connection, one line each). This module is pure — no sockets — so the
 * server and the client validate with the same functions.
 */

export const COMMANDS = [
  'ping', 'version', 'status', 'stop', 'reload', 'set', 'get', 'unban', 'banned', 'report', 'test-config', 'dump-config', 'watch', 'fleet',
] as const;

export type Command = (typeof COMMANDS)[number];

/** A request line longer than this (in bytes, before its newline) is refused and its connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;

const MAX_ID_LENGTH = 128;

export type RequestId = number | string;
export type OptionValue = string | number | boolean;
export type RequestOptions = Readonly<Record<string, OptionValue>>;

export interface ControlRequest {
  readonly id: RequestId;
  readonly command: Command;
  readonly args: readonly string[];
  readonly options: RequestOptions;
}

export interface ErrorBody {
  code: string;
  message: string;
  /** Where a configuration error comes from, when the daemon knows (e.g. a refused reload). */
  file?: string;
  line?: number;
}

export type ControlResponse =
  | { id: RequestId | null; ok: true; result: unknown }
  | { id: RequestId | null; ok: false; error: ErrorBody };

/** A line that could not be turned into a request; `fatal` means the connection must be closed. */
export interface RequestFault {
  id: RequestId | null;
  error: BanwardError;
  fatal: boolean;
}

const REQUEST_FIELDS = new Set(['id', 'command', 'args', 'options']);
const KNOWN_COMMANDS: ReadonlySet<string> = new Set(COMMANDS);

function protocolError(message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_PROTOCOL', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
    || (typeof value === 'string' && value.length <= MAX_ID_LENGTH);
}

export function isCommand(value: unknown): value is Command {
  return typeof value === 'string' && KNOWN_COMMANDS.has(value);
}

/**
 * Checks a decoded request strictly and returns a frozen copy. `args` and `options` may be left out
 * (they default to `[]` and `{}`), every other deviation is an error naming the field.
 */
export function validateRequest(value: unknown): ControlRequest {
  if (!isPlainObject(value)) throw protocolError('a request must be a JSON object');
  const extra = Object.keys(value).filter((key) => !REQUEST_FIELDS.has(key));
  if (extra.length > 0) throw protocolError(`unknown request field(s): ${extra.join(', ')}`);
  const { id, command, args = [], options = {} } = value;
  if (!isRequestId(id)) {
    throw protocolError(`"id" must be a non-negative integer or a string of at most ${MAX_ID_LENGTH} characters`);
  }
  if (typeof command !== 'string') throw protocolError('"command" must be a string');
  if (!isCommand(command)) throw protocolError(`unknown command ${JSON.stringify(command)}; known: ${COMMANDS.join(', ')}`);
  if (!Array.isArray(args) || !args.every((arg): arg is string => typeof arg === 'string')) {
    throw protocolError('"args" must be an array of strings');
  }
  if (!isPlainObject(options)) throw protocolError('"options" must be an object');
  for (const [key, option] of Object.entries(options)) {
    const fine = typeof option === 'string' || typeof option === 'boolean' || (typeof option === 'number' && Number.isFinite(option));
    if (!fine) throw protocolError(`option ${JSON.stringify(key)} must be a string, a number or a boolean`);
  }
  return Object.freeze({
    id,
    command,
    args: Object.freeze([...args]),
    options: Object.freeze(Object.fromEntries(Object.entries(options))) as RequestOptions,
  });
}

/** Turns one request line into a request, or a fault to answer with (keeping the id when it is readable). */
export function decodeRequest(line: string): { request: ControlRequest } | { fault: RequestFault } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    const error = new BanwardError('BANWARD_ERR_PROTOCOL', `a request line is not valid JSON: ${(cause as Error).message}`, { cause });
    return { fault: { id: null, error, fatal: true } };
  }
  const readableId = (trustId: boolean) => (trustId && isPlainObject(value) && isRequestId(value['id']) ? value['id'] : null);
  const duplicate = findDuplicateKey(line);
  if (duplicate !== undefined) {
    const error = protocolError(`a request repeats the key ${JSON.stringify(duplicate)}; every key may appear once`);
    return { fault: { id: readableId(duplicate !== 'id'), error, fatal: false } };
  }
  try {
    return { request: validateRequest(value) };
  } catch (error) {
    return { fault: { id: readableId(true), error: error as BanwardError, fatal: false } };
  }
}

/** What a caller hands in to be sent: checked like a received request, so no client sends what a server refuses. */
export interface RequestInput {
  id: RequestId;
  command: string;
  args?: readonly string[];
  options?: Readonly<Record<string, OptionValue>>;
}

export function encodeRequest(request: RequestInput): string {
  return JSON.stringify(validateRequest(request)) + '\n';
}

export function successResponse(id: RequestId | null, result: unknown): ControlResponse {
  // `undefined` would vanish from the JSON; a command with nothing to say answers null.
  return { id, ok: true, result: result === undefined ? null : result };
}

export function errorResponse(id: RequestId | null, error: BanwardError): ControlResponse {
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error.file !== undefined) body.file = error.file;
  if (error.line !== undefined) body.line = error.line;
  return { id, ok: false, error: body };
}

export function encodeResponse(response: ControlResponse): string {
  return JSON.stringify(response) + '\n';
}

/** Parses and checks one response line (client side). Throws BANWARD_ERR_PROTOCOL on anything else. */
export function decodeResponse(line: string): ControlResponse {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new BanwardError('BANWARD_ERR_PROTOCOL', `the daemon's reply is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isPlainObject(value)) throw protocolError("the daemon's reply is not a JSON object");
  const id = value['id'];
  if (id !== null && !isRequestId(id)) throw protocolError("the daemon's reply has no valid \"id\"");
  if (value['ok'] === true) return { id, ok: true, result: value['result'] ?? null };
  const error = value['error'];
  if (value['ok'] !== false || !isPlainObject(error) || typeof error['code'] !== 'string' || typeof error['message'] !== 'string') {
    throw protocolError("the daemon's reply is neither a result nor an error");
  }
  const body: ErrorBody = { code: error['code'], message: error['message'] };
  if (typeof error['file'] === 'string') body.file = error['file'];
  if (typeof error['line'] === 'number') body.line = error['line'];
  return { id, ok: false, error: body };
}

/** The BanwardError an error reply stands for; a code this client does not know keeps its name in the message. */
export function errorFromResponse(body: ErrorBody): BanwardError {
  const known = Object.hasOwn(ERROR_CODES, body.code);
  const code: ErrorCode = known ? (body.code as ErrorCode) : 'BANWARD_ERR_COMMAND';
  const message = known ? body.message : `${body.code}: ${body.message}`;
  return new BanwardError(code, message, {
    ...(body.file === undefined ? {} : { file: body.file }),
    ...(body.line === undefined ? {} : { line: body.line }),
  });
}
