import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createGuard, type Attempt, type BanwardWebOptions, type Guard } from '../core/index.js';
import { assertFunctionOption } from '../_adapter-options.js';
import { beginAttempt, endOnFinish, sendRefusal } from '../node/_http.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      banward: Attempt;
    }
  }
}

export interface ExpressBanwardOptions extends BanwardWebOptions {
  /** Reads the username before the route runs (needs a body parser mounted first), for username lockouts. */
  username?: (req: Request) => string | undefined;
}

/**
 * Express (4 and 5) middleware: `app.use(banward({ jail: 'web-login', trustProxy: ['loopback'] }))`.
 * It ignores Express's own `trust proxy` setting, so one list decides the address everywhere in banward.
 */
export function banward(options: ExpressBanwardOptions = {}): RequestHandler & { guard: Guard } {
  const { username, ...core } = options;
  assertFunctionOption('username', username);
  const guard = createGuard(core);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    let attempt: Attempt;
    try {
      attempt = beginAttempt(guard, req, req.originalUrl, username?.(req));
    } catch (error) {
      next(error);
      return;
    }
    if (attempt.refusal) {
      sendRefusal(res, attempt.refusal);
      return;
    }
    endOnFinish(guard, attempt, req, res);
    req.banward = attempt;
    next();
  };
  return Object.assign(middleware, { guard });
}

export type { Attempt, BanwardWebOptions, Guard } from '../core/index.js';
