/**
 * The one catalogue of @banward/web errors and warnings. Codes are stable and never reused; the package
 * README lists every code, and `errors.test.ts` keeps the two in sync.
 */

export const ERROR_CODES = {
  BANWARD_WEB_ERR_OPTIONS: 'an option has the wrong type or value',
  BANWARD_WEB_ERR_TRUST_ALL: 'trustProxy: true was given without forceTrustAll: true',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BanwardWebError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BanwardWebError';
    this.code = code;
  }
}

export const WARNINGS = {
  BANWARD_WEB_W001:
    'trustProxy: true trusts every hop of X-Forwarded-For: any client can send that header and choose the ' +
    'address it is locked out and banned as, evading the lockout or framing someone else. List your proxies ' +
    "instead, e.g. trustProxy: ['loopback', '10.0.0.0/8'].",
  BANWARD_WEB_W002: 'the banward daemon could not be reached; reports are queued and retried',
  BANWARD_WEB_W003: 'the banward daemon refused a report',
  BANWARD_WEB_W004: "the banward daemon's bans could not be read; the app counts failures on its own until it can",
  BANWARD_WEB_W005: 'the Redis lockout store is not connected; failures are not counted until it is',
  BANWARD_WEB_W006:
    'a trusted proxy passed on an X-Forwarded-For entry that is not an address; such a client is unknown: ' +
    'its failures count against no address, and failClosed refuses it',
} as const;

export type WarningCode = keyof typeof WARNINGS;

const emitted = new Set<WarningCode>();

/** Emits a warning through `process.emitWarning`, at most once per code and process. */
export function warnOnce(code: WarningCode, detail?: string): void {
  if (emitted.has(code)) return;
  emitted.add(code);
  process.emitWarning(detail === undefined ? WARNINGS[code] : `${WARNINGS[code]}: ${detail}`, {
    type: 'BanwardWebWarning',
    code,
  });
}
