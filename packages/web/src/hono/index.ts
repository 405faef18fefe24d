import type { Context, MiddlewareHandler } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { createGuard, type Attempt, type BanwardWebOptions, type Guard } from '../core/index.js';
import { assertFunctionOption } from '../_adapter-options.js';

/** Types `c.get('banward')`: `new Hono<BanwardEnv>()`, or merge `BanwardEnv['Variables']` into your own. */
export interface BanwardEnv {
  Variables: { banward: Attempt };
}

export interface HonoBanwardOptions extends BanwardWebOptions {
  /**
   * Where the socket's peer address comes from. Default: the `IncomingMessage` @hono/node-server passes as
   * `c.env.incoming`; on other runtimes pass their helper, e.g. `getConnInfo` from `hono/bun`.
   */
  getConnInfo?: GetConnInfo;
  /** Reads the username before the route runs (e.g. `(await c.req.json()).username`), for username lockouts. */
  username?: (c: Context) => string | undefined | Promise<string | undefined>;
}

const nodeServerConnInfo: GetConnInfo = (c) => {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return { remote: address === undefined ? {} : { address } };
};

/**
 * Hono middleware: `app.use('/login', banward({ jail: 'web-login', trustProxy: ['loopback'] }))`; routes
 * reach the attempt as `c.get('banward')`. The response is judged after the routes ran, with the status
 * Hono sends: a thrown `HTTPException(401)` counts as the 401, any other error as the 500 of `onError`.
 */
export function banward(options: HonoBanwardOptions = {}): MiddlewareHandler<BanwardEnv> & { guard: Guard } {
  const { getConnInfo = nodeServerConnInfo, username, ...core } = options;
  assertFunctionOption('getConnInfo', getConnInfo);
  assertFunctionOption('username', username);
  const guard = createGuard(core);
  const middleware: MiddlewareHandler<BanwardEnv> = async (c, next) => {
    const ip = guard.clientIp({ remoteAddress: getConnInfo(c).remote.address, forwardedFor: c.req.header('x-forwarded-for') });
    const attempt = guard.begin({ ip, method: c.req.method, route: c.req.path, username: await username?.(c) });
    if (attempt.refusal) {
      const { status, headers, body } = attempt.refusal;
      return c.body(body, status as ContentfulStatusCode, headers);
    }
    c.set('banward', attempt);
    await next();
    attempt.end(c.res.status, c.req, c.res);
  };
  return Object.assign(middleware, { guard });
}

export type { Attempt, BanwardWebOptions, Guard } from '../core/index.js';
