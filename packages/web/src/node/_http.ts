import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeOf, type Attempt, type Guard } from '../core/index.js';

const LOCKED_BODY = 'Too many failed login attempts; try again later.\n';

/** Translates a node:http request into the core's terms; Express's requests are node:http requests too. */
export function beginAttempt(guard: Guard, req: IncomingMessage, url: string | undefined, username?: string): Attempt {
  const ip = guard.clientIp({ remoteAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] });
  return guard.begin({ ip, method: req.method ?? 'GET', route: routeOf(url), username });
}

/** Lets rules and the predicate judge the response once it is sent. */
export function endOnFinish(attempt: Attempt, req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => attempt.end(res.statusCode, req, res));
}

export function sendLocked(res: ServerResponse, retryAfter: number): void {
  res.writeHead(429, {
    'Retry-After': String(retryAfter),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(LOCKED_BODY),
  });
  res.end(LOCKED_BODY);
}
