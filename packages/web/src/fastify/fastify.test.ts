import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify5, { type FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import { banward } from './index.js';
import { MemoryLockoutStore } from '../core/index.js';
import { manualClock } from '../../test/http.js';

/** A JSON login: "right" is the password, anything else fails through request.banward.fail(). */
function addLogin(app: FastifyInstance) {
  app.post('/login', async (request, reply) => {
    const { username, password } = request.body as { username: string; password: string };
    if (password === 'right') {
      request.banward.succeed({ username });
      return 'ok';
    }
    await request.banward.fail({ username });
    return reply.code(401).send('bad login');
  });
}

// The plugin is typed against Fastify 5; at run time both majors take it the same way.
const MAJORS = [['Fastify 5', Fastify5], ['Fastify 4', Fastify4 as unknown as typeof Fastify5]] as const;

for (const [major, Fastify] of MAJORS) {
  test(`${major}: request.banward.fail() locks the client behind a trusted proxy; Fastify's trustProxy is ignored`, async () => {
    const clock = manualClock();
    const lines: string[] = [];
    const app = Fastify({ trustProxy: true });
    await app.register(banward, { trustProxy: ['loopback'], lockout: { maxFailures: 2, durationSeconds: 60 }, log: (l) => lines.push(l), clock: clock.now });
    addLogin(app);
    const login = (remoteAddress: string, xff: string, password: string) => app.inject({
      method: 'POST', url: '/login?next=/', remoteAddress, headers: { 'x-forwarded-for': xff }, payload: { username: 'bob', password },
    });
    assert.equal((await login('127.0.0.1', '198.51.100.1, 203.0.113.5', 'wrong')).statusCode, 401);
    assert.equal((await login('127.0.0.1', '198.51.100.2, 203.0.113.5', 'wrong')).statusCode, 401);
    const locked = await login('127.0.0.1', '198.51.100.3, 203.0.113.5', 'right');
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.headers['retry-after'], '60');
    assert.equal(locked.body, 'Too many failed login attempts; try again later.\n');
    assert.equal((await login('127.0.0.1', '203.0.113.6', 'right')).statusCode, 200, 'another client is not framed');
    assert.equal((await login('192.0.2.7', '203.0.113.5', 'wrong')).statusCode, 401, 'an untrusted peer\'s header is not believed');
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), [
      'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
      'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
      'banward-web: login failed ip=192.0.2.7 user="bob" route="/login"',
    ]);
    await app.close();
  });

  test(`${major}: the plugin is not encapsulated; rules judge the status sent, in child contexts too`, async () => {
    const lines: string[] = [];
    const app = Fastify();
    await app.register(banward, { rules: [{ path: '/api/login', status: 401 }], lockout: { maxFailures: 1, durationSeconds: 30 }, log: (l) => lines.push(l) });
    await app.register(async (child) => {
      child.post('/login', async (request, reply) => reply.code(401).send({ hasAttempt: typeof request.banward?.fail === 'function' }));
    }, { prefix: '/api' });
    assert.equal(app.banward.options.rules.length, 1, 'the guard is decorated on the instance that registered the plugin');
    const first = await app.inject({ method: 'POST', url: '/api/login', remoteAddress: '203.0.113.9' });
    assert.deepEqual([first.statusCode, first.json()], [401, { hasAttempt: true }]);
    assert.equal(lines.length, 1);
    assert.equal((await app.inject({ method: 'POST', url: '/api/login', remoteAddress: '203.0.113.9' })).statusCode, 429);
    assert.equal((await app.inject({ method: 'POST', url: '/api/login', remoteAddress: '203.0.113.10' })).statusCode, 401);
    await app.close();
  });

  test(`${major}: with a username reader the check sees the parsed body and locks by username`, async () => {
    const app = Fastify();
    await app.register(banward, {
      lockout: { by: ['username'], maxFailures: 2, durationSeconds: 30 },
      username: (request) => (request.body as { username?: string } | undefined)?.username,
    });
    addLogin(app);
    const login = (remoteAddress: string, username: string, password: string) =>
      app.inject({ method: 'POST', url: '/login', remoteAddress, payload: { username, password } });
    assert.equal((await login('203.0.113.1', 'bob', 'wrong')).statusCode, 401);
    assert.equal((await login('203.0.113.2', 'bob', 'wrong')).statusCode, 401);
    assert.equal((await login('203.0.113.3', 'bob', 'right')).statusCode, 429, 'bob is locked from any address');
    assert.equal((await login('203.0.113.1', 'alice', 'right')).statusCode, 200, 'another user is not locked');
    await app.close();
  });

  test(`${major}: closing the app closes the guard and its lockout store`, async () => {
    let closed = 0;
    const store = new (class extends MemoryLockoutStore {
      override close() {
        closed++;
        return super.close();
      }
    })();
    const app = Fastify();
    await app.register(banward, { lockout: { store } });
    await app.ready();
    assert.equal(closed, 0);
    await app.close();
    assert.equal(closed, 1);
  });

  test(`${major}: a username option that is not a function fails the registration with a coded error`, async () => {
    const app = Fastify();
    app.register(banward, { username: 'bob' as unknown as () => string });
    await assert.rejects(
      async () => { await app.ready(); },
      { code: 'BANWARD_WEB_ERR_OPTIONS', message: 'option username must be a function, not string' },
    );
  });
}
