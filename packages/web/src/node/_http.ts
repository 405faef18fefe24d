import type { IncomingMessage, ServerResponse } from 'node:http';
import { routeOf, type Attempt, type Guard, type Refusal } from '../core/index.js';

/** Translates a node:http request into the core's terms; Express's requests are node:http requests too. */
export function beginAttempt(guard: Guard, req: IncomingMessage, url: string | undefined, username?: string): Attempt {
  const ip = guard.clientIp({ remoteAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] });
  return guard.begin({ ip, method: req.method ?? 'GET', route: routeOf(url), username });
}

/** Lets rules and the predicate judge the response once it is sent (a listener only when there are some). */
export function endOnFinish(guard: Guard, attempt: Attempt, req: IncomingMessage, res: ServerResponse): void {
  if (guard.judgesResponses) res.once('finish', () => attempt.end(res.statusCode, req, res));
}

/** Answers a refused request (locked out, not allowlisted, or the store down with failClosed). */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { ...refusal.headers, 'Content-Length': Buffer.byteLength(refusal.body) });
  res.end(refusal.body);
}
