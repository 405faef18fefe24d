import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { test } from 'node:test';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { banward } from './index.js';
import { manualClock, serve } from '../../test/http.js';

/** Koa parses no bodies itself; the login reads its fields from the query string. */
function query(ctx: Koa3.Context, name: string): string {
  const value = ctx.query[name];
  return typeof value === 'string' ? value : '';
}

/** Koa's callback never rejects: it answers errors itself (500 and app.onerror). */
function listener(app: Koa3): RequestListener {
  const handle = app.callback();
  return (req, res) => void handle(req, res);
}

const MAJORS = [['Koa 3', Koa3], ['Koa 2', Koa2 as unknown as typeof Koa3]] as const;

for (const [major, Koa] of MAJORS) {
  test(`${major}: ctx.state.banward.fail() locks the client behind a trusted proxy; Koa's proxy setting is ignored`, async () => {
    const clock = manualClock();
    const lines: string[] = [];
    const app = new Koa({ proxy: true });
    app.use(banward({ trustProxy: ['loopback'], lockout: { maxFailures: 2, durationSeconds: 60 }, log: (l) => lines.push(l), clock: clock.now }));
    app.use(async (ctx) => {
      const username = query(ctx, 'user');
      if (query(ctx, 'password') === 'right') {
        ctx.state.banward.succeed({ username });
        ctx.body = 'ok';
        return;
      }
      await ctx.state.banward.fail({ username });
      ctx.status = 401;
      ctx.body = 'bad login';
    });
    const server = await serve(listener(app));
    try {
      const login = (xff: string, password: string) =>
        fetch(`${server.url}/login?user=bob&password=${password}`, { method: 'POST', headers: { 'X-Forwarded-For': xff } });
      assert.equal((await login('198.51.100.1, 203.0.113.5', 'wrong')).status, 401);
      assert.equal((await login('198.51.100.2, 203.0.113.5', 'wrong')).status, 401);
      const locked = await login('198.51.100.3, 203.0.113.5', 'right');
      assert.equal(locked.status, 429);
      assert.equal(locked.headers.get('retry-after'), '60');
      assert.equal(locked.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await locked.text(), 'Too many failed login attempts; try again later.\n');
      assert.equal((await login('203.0.113.6', 'right')).status, 200, 'another client is not framed');
      assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), [
        'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
        'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
      ]);
    } finally {
      await server.close();
    }
  });

  test(`${major}: a thrown error is judged by the status sent: ctx.throw(401), Koa's 500, an error handler's answer`, async () => {
    class LoginRefused extends Error {}
    const lines: string[] = [];
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!(error instanceof LoginRefused)) throw error;
        ctx.status = 403;
        ctx.body = 'refused';
      }
    });
    app.use(banward({ rules: [{ path: '/login', status: [401, 403] }], lockout: false, log: (l) => lines.push(l.replace(/^\S+ /, '')) }));
    app.use((ctx) => {
      const how = query(ctx, 'how');
      if (how === 'throw401') ctx.throw(401, 'bad login');
      if (how === 'refused') throw new LoginRefused();
      throw new Error('the database is down');
    });
    const server = await serve(listener(app));
    try {
      const status = async (how: string) => (await fetch(`${server.url}/login?how=${how}`, { method: 'POST' })).status;
      assert.equal(await status('throw401'), 401);
      assert.equal(lines.length, 1, 'ctx.throw(401) counts as the 401 Koa sends');
      assert.equal(await status('crash'), 500);
      assert.equal(lines.length, 1, 'a 500 is not a failed login');
      assert.equal(await status('refused'), 403);
      assert.equal(lines.length, 2, 'the error handler\'s 403 counts');
    } finally {
      await server.close();
    }
  });

  test(`${major}: a username reader locks by username across addresses; a wrong option type is a coded error`, async () => {
    const app = new Koa({ proxy: true });
    app.use(banward({
      trustProxy: ['loopback'],
      rules: [{ path: '/login', status: 401 }],
      lockout: { by: ['username'], maxFailures: 2, durationSeconds: 30 },
      username: (ctx) => query(ctx, 'user'),
    }));
    app.use((ctx) => {
      ctx.status = query(ctx, 'password') === 'right' ? 200 : 401;
    });
    const server = await serve(listener(app));
    try {
      const login = async (xff: string, user: string, password: string) =>
        (await fetch(`${server.url}/login?user=${user}&password=${password}`, { headers: { 'X-Forwarded-For': xff } })).status;
      assert.equal(await login('203.0.113.1', 'bob', 'wrong'), 401);
      assert.equal(await login('203.0.113.2', 'bob', 'wrong'), 401);
      assert.equal(await login('203.0.113.3', 'bob', 'right'), 429, 'bob is locked from any address');
      assert.equal(await login('203.0.113.1', 'alice', 'right'), 200, 'another user is not locked');
    } finally {
      await server.close();
    }
    assert.throws(() => banward({ username: 42 as unknown as () => string }), { code: 'BANWARD_WEB_ERR_OPTIONS' });
  });
}
