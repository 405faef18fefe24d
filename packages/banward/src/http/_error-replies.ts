import type { FastifyError } from 'fastify';
import { BanwardError, type ErrorCode } from '../errors.js';

export interface ErrorReply {
  status: number;
  body: { code: ErrorCode; message: string };
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  BANWARD_ERR_HTTP_AUTH: 401,
  BANWARD_ERR_HTTP_FORBIDDEN: 403,
  BANWARD_ERR_HTTP_REQUEST: 400,
  BANWARD_ERR_HTTP_NOT_FOUND: 404,
  BANWARD_ERR_HTTP_BUSY: 503,
  // The control interface's refusal: every jail-taking call throws it for a jail that does not run.
  BANWARD_ERR_COMMAND: 404,
  BANWARD_ERR_BAN_REFUSED: 409,
  // An ignore entry that is none of address, range or host name.
  BANWARD_ERR_CONFIG_VALUE: 400,
};

/**
 * The reply for anything a route or Fastify throws: a catalogued error keeps its code; Fastify's own
 * client errors (schema validation, bad JSON, body too large, wrong content type) become
 * BANWARD_ERR_HTTP_REQUEST with their status; anything else is a 500 whose detail stays in the log.
 */
export function errorReply(error: unknown): ErrorReply & { internal: boolean } {
  if (error instanceof BanwardError) {
    return { status: STATUS_OF[error.code] ?? 500, body: { code: error.code, message: error.message }, internal: STATUS_OF[error.code] === undefined };
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { code: 'BANWARD_ERR_HTTP_REQUEST', message: (error as Error).message }, internal: false };
  }
  return { status: 500, body: { code: 'BANWARD_ERR_COMMAND', message: 'internal error (see the daemon log)' }, internal: true };
}

export function requestError(message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_HTTP_REQUEST', message);
}
