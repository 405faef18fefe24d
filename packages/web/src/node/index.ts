import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createGuard, type Attempt, type BanwardWebOptions, type Guard } from '../core/index.js';
import { beginAttempt, endOnFinish, sendRefusal } from './_http.js';

export type BanwardRequest = IncomingMessage & { banward: Attempt };

export type BanwardHandler = (req: BanwardRequest, res: ServerResponse) => unknown;

/**
 * Wraps a `http.createServer` handler: a locked-out client gets 429 with Retry-After before the handler
 * runs; otherwise the handler sees `req.banward.fail()` / `succeed()` and the rules judge the response.
 */
export function withBanward(options: BanwardWebOptions, handler: BanwardHandler): RequestListener & { guard: Guard } {
  const guard = createGuard(options);
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const attempt = beginAttempt(guard, req, req.url);
    if (attempt.refusal) {
      sendRefusal(res, attempt.refusal);
      return;
    }
    endOnFinish(guard, attempt, req, res);
    const banwardReq = Object.assign(req, { banward: attempt });
    void Promise.resolve(handler(banwardReq, res)).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  };
  return Object.assign(listener, { guard });
}

export type { Attempt, BanwardWebOptions, Guard } from '../core/index.js';
