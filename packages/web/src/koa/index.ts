import type { Context, Middleware } from 'koa';
import { createGuard, type Attempt, type BanwardWebOptions, type Guard } from '../core/index.js';
import { assertFunctionOption } from '../_adapter-options.js';
import { beginAttempt, endOnFinish } from '../node/_http.js';

declare module 'koa' {
  interface DefaultState {
    /** Set by the banward middleware for every request it let through. */
    banward: Attempt;
  }
}

export interface KoaBanwardOptions extends BanwardWebOptions {
  /** Reads the username before the route runs (needs a body parser mounted first), for username lockouts. */
  username?: (ctx: Context) => string | undefined;
}

/**
 * Koa middleware: `app.use(banward({ jail: 'web-login', trustProxy: ['loopback'] }))`; routes reach the
 * attempt as `ctx.state.banward`, Koa's namespace for what middleware passes on. It ignores Koa's own
 * `proxy` setting, so one list decides the address everywhere in banward.
 *
 * The response is judged when it is sent, not when `next()` returns: `ctx.throw(401)` counts as the 401,
 * an uncaught error as the 500 Koa answers, and an error-handling middleware upstream as what it answers.
 */
export function banward(options: KoaBanwardOptions = {}): Middleware & { guard: Guard } {
  const { username, ...core } = options;
  assertFunctionOption('username', username);
  const guard = createGuard(core);
  const middleware: Middleware = async (ctx, next) => {
    const attempt = beginAttempt(guard, ctx.req, ctx.originalUrl, username?.(ctx));
    if (attempt.refusal) {
      const { status, headers, body } = attempt.refusal;
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
      return;
    }
    endOnFinish(guard, attempt, ctx.req, ctx.res);
    ctx.state.banward = attempt;
    await next();
  };
  return Object.assign(middleware, { guard });
}

export type { Attempt, BanwardWebOptions, Guard } from '../core/index.js';
