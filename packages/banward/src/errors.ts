/**
 * The one catalogue of banward's errors. Codes are stable: never renumber or reuse one.
 * docs/errors.md documents every code; a test keeps the two in sync.
 */
export const ERROR_CODES = {
  BANWARD_ERR_USAGE: 'The command line is not valid.',
  BANWARD_ERR_CONFIG_SYNTAX: 'A configuration file is not valid INI syntax.',
  BANWARD_ERR_CONFIG_REFERENCE: 'A %(name)s or <tag> reference names nothing that is defined.',
  BANWARD_ERR_CONFIG_RECURSION: 'Substitution of %(name)s or <tag> references does not terminate.',
  BANWARD_ERR_CONFIG_INCLUDE_LOOP: 'Files include each other in a loop.',
  BANWARD_ERR_CONFIG_VALUE: 'An option has a value banward cannot use.',
  BANWARD_ERR_FILTER_NOT_FOUND: 'No filter of that name in filter.d, and it is not a file or a regex.',
  BANWARD_ERR_REGEX: 'A regular expression does not compile.',
  BANWARD_ERR_DATEPATTERN: 'A datepattern is not valid.',
  BANWARD_ERR_TIMEZONE: 'A time zone is not known.',
  BANWARD_ERR_LOG_UNREADABLE: 'A log file cannot be read.',
  BANWARD_ERR_PROTOCOL: 'A control-socket message breaks the protocol (docs/protocol.md).',
  BANWARD_ERR_DAEMON_UNREACHABLE: 'The banward daemon cannot be reached on its control socket.',
  BANWARD_ERR_COMMAND: 'The daemon refused or failed a control command.',
  BANWARD_ERR_BAN_REFUSED: 'The ban would cover an address that is never banned (ignoreip, or this host\'s own).',
  BANWARD_ERR_NOT_PERMITTED: 'The command is not allowed on the app socket; use the admin socket.',
  BANWARD_ERR_SOCKET: 'The control socket cannot be created.',
  BANWARD_ERR_STATE: 'The state database cannot be opened or has a schema this banward does not know.',
  BANWARD_ERR_HTTP_AUTH: 'An HTTP API request has no bearer token or a wrong one.',
  BANWARD_ERR_HTTP_FORBIDDEN: 'The HTTP API request is not allowed: a read token on an admin route, or a banned client.',
  BANWARD_ERR_HTTP_REQUEST: 'An HTTP API request is malformed: bad JSON, a value outside its schema, or too large.',
  BANWARD_ERR_HTTP_NOT_FOUND: 'No HTTP API route or file at that path.',
  BANWARD_ERR_HTTP_BUSY: 'The HTTP server refuses another event-stream client: it serves its maximum already.',
  BANWARD_ERR_HTTP_LISTEN: 'The HTTP server cannot listen on its address.',
  BANWARD_ERR_SETUP: 'banward setup cannot install or remove its files, or systemctl failed.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a problem is; either part may be unknown. */
export interface ErrorLocation {
  file?: string | undefined;
  line?: number | undefined;
}

export class BanwardError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorLocation & { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BanwardError';
    this.code = code;
    this.file = options.file;
    this.line = options.line;
  }

  /** `file:line: message` — the form every config mistake is reported in. */
  describe(): string {
    return locate(this, this.message);
  }
}

/** Prefixes `file:line: ` (or `file: `) when the location is known. */
export function locate(where: ErrorLocation, message: string): string {
  return where.file ? `${where.file}${where.line ? `:${where.line}` : ''}: ${message}` : message;
}

export function isBanwardError(value: unknown): value is BanwardError {
  return value instanceof BanwardError;
}
