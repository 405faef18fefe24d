import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { banward, type BanwardEnv } from './index.js';
import { manualClock } from '../../test/http.js';

/** What @hono/node-server passes as `c.env`, reduced to what the middleware reads. */
const peer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/** A JSON login: "right" is the password, anything else fails through c.get('banward').fail(). */
function loginApp(options: Parameters<typeof banward>[0]) {
  const app = new Hono<BanwardEnv>();
  app.use('/login', banward(options));
  app.post('/login', async (c) => {
    const { username, password } = await c.req.json<{ username: string; password: string }>();
    if (password === 'right') {
      c.get('banward').succeed({ username });
      return c.text('ok');
    }
    await c.get('banward').fail({ username });
    return c.text('bad login', 401);
  });
  app.get('/elsewhere', (c) => c.text(c.get('banward') === undefined ? 'unguarded' : 'guarded'));
  return app;
}

test('Hono: c.get(\'banward\').fail() locks the client behind a trusted proxy, not the spoofed address', async () => {
  const clock = manualClock();
  const lines: string[] = [];
  const app = loginApp({ trustProxy: ['loopback'], lockout: { maxFailures: 2, durationSeconds: 60 }, log: (l) => lines.push(l), clock: clock.now });
  const login = (remoteAddress: string, xff: string, password: string) => app.request('/login?next=/', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff }, body: JSON.stringify({ username: 'bob', password }),
  }, peer(remoteAddress));
  assert.equal((await login('127.0.0.1', '198.51.100.1, 203.0.113.5', 'wrong')).status, 401);
  assert.equal((await login('127.0.0.1', '198.51.100.2, 203.0.113.5', 'wrong')).status, 401);
  const locked = await login('127.0.0.1', '198.51.100.3, 203.0.113.5', 'right');
  assert.equal(locked.status, 429);
  assert.equal(locked.headers.get('retry-after'), '60');
  assert.equal(locked.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(await locked.text(), 'Too many failed login attempts; try again later.\n');
  assert.equal((await login('127.0.0.1', '203.0.113.6', 'right')).status, 200, 'another client is not framed');
  assert.equal((await login('192.0.2.7', '203.0.113.5', 'wrong')).status, 401, 'an untrusted peer\'s header is not believed');
  assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), [
    'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
    'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
    'banward-web: login failed ip=192.0.2.7 user="bob" route="/login"',
  ]);
  assert.equal(await (await app.request('/elsewhere', {}, peer('203.0.113.5'))).text(), 'unguarded', 'only /login is guarded');
});

test('Hono: rules judge the status Hono sends, HTTPException and onError included; getConnInfo overrides the peer', async () => {
  const lines: string[] = [];
  const app = new Hono<BanwardEnv>();
  app.use(banward({
    getConnInfo: (c) => {
      const address = c.req.header('x-test-peer');
      return { remote: address === undefined ? {} : { address } };
    },
    rules: [{ path: '/login', status: [401] }],
    lockout: false,
    log: (l) => lines.push(l.replace(/^\S+ /, '')),
  }));
  app.post('/login', (c) => {
    if (c.req.query('how') === 'exception') throw new HTTPException(401, { message: 'bad login' });
    throw new Error('the database is down');
  });
  app.onError((error, c) => error instanceof HTTPException ? error.getResponse() : c.text('internal error', 500));
  const status = async (how: string) => (await app.request(`/login?how=${how}`, { method: 'POST', headers: { 'X-Test-Peer': '198.51.100.4' } })).status;
  assert.equal(await status('exception'), 401);
  assert.equal(await status('crash'), 500);
  assert.deepEqual(lines, ['banward-web: login failed ip=198.51.100.4 user="" route="/login"']);
});

test('Hono: an async username reader locks by username across addresses; a wrong option type is a coded error', async () => {
  const app = loginApp({
    lockout: { by: ['username'], maxFailures: 2, durationSeconds: 30 },
    username: async (c) => (await c.req.json<{ username?: string }>()).username,
  });
  const login = async (remoteAddress: string, username: string, password: string) =>
    (await app.request('/login', { method: 'POST', body: JSON.stringify({ username, password }) }, peer(remoteAddress))).status;
  assert.equal(await login('203.0.113.1', 'bob', 'wrong'), 401);
  assert.equal(await login('203.0.113.2', 'bob', 'wrong'), 401);
  assert.equal(await login('203.0.113.3', 'bob', 'right'), 429, 'bob is locked from any address');
  assert.equal(await login('203.0.113.1', 'alice', 'right'), 200, 'another user is not locked');
  assert.throws(() => banward({ getConnInfo: 'x' as unknown as never }), { code: 'BANWARD_WEB_ERR_OPTIONS' });
});

test('Hono on @hono/node-server: the real socket peer is the client address', async () => {
  const lines: string[] = [];
  const app = loginApp({ lockout: { maxFailures: 1, durationSeconds: 60 }, log: (l) => lines.push(l.replace(/^\S+ /, '')) });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server));
  });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/login`;
    const login = (password: string) => fetch(url, { method: 'POST', headers: { 'X-Forwarded-For': '203.0.113.5' }, body: JSON.stringify({ username: 'bob', password }) });
    assert.equal((await login('wrong')).status, 401);
    assert.equal((await login('right')).status, 429);
    assert.deepEqual(lines, ['banward-web: login failed ip=127.0.0.1 user="bob" route="/login"']);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
