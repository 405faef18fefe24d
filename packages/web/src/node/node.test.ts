import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withBanward } from './index.js';
import { manualClock, serve } from '../../test/http.js';

/** A login that fails unless the password is "right"; optionally answers a failure with 200 and a form. */
function loginApp(statusOnFailure: number) {
  return (req: { url?: string | undefined }, res: import('node:http').ServerResponse) => {
    const ok = req.url?.includes('password=right') ?? false;
    res.statusCode = ok ? 200 : statusOnFailure;
    res.setHeader('X-Login', ok ? 'ok' : 'failed');
    res.end(ok ? 'welcome' : 'bad login');
  };
}

test('rules count failed logins and lock the client: 429 with Retry-After, lifted after the lockout', async () => {
  const clock = manualClock();
  const lines: string[] = [];
  const server = await serve(withBanward({
    rules: [{ method: 'POST', path: '/login', status: [401, 403] }],
    lockout: { maxFailures: 3, windowSeconds: 60, durationSeconds: 120 },
    log: (line) => lines.push(line),
    clock: clock.now,
  }, loginApp(401)));
  try {
    const post = (query = '') => fetch(`${server.url}/login${query}`, { method: 'POST' });
    assert.equal((await fetch(`${server.url}/login`)).status, 401, 'GET is not covered by the rule');
    for (let i = 0; i < 3; i++) assert.equal((await post()).status, 401);
    const locked = await post('?password=right');
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '120');
    assert.equal(lines.length, 3, 'the GET and the refused request are not failures');
    clock.advance(60_000);
    assert.equal((await post()).headers.get('retry-after'), '60');
    clock.advance(60_000);
    assert.equal((await post('?password=right')).status, 200);
  } finally {
    await server.close();
  }
});

test('failures outside the window do not add up', async () => {
  const clock = manualClock();
  const server = await serve(withBanward({
    rules: [{ path: '/login' }],
    lockout: { maxFailures: 2, windowSeconds: 10, durationSeconds: 60 },
    clock: clock.now,
  }, loginApp(403)));
  try {
    assert.equal((await fetch(`${server.url}/login`)).status, 403);
    clock.advance(11_000);
    assert.equal((await fetch(`${server.url}/login`)).status, 403);
    assert.equal((await fetch(`${server.url}/login`)).status, 403);
    assert.equal((await fetch(`${server.url}/login`)).status, 429);
  } finally {
    await server.close();
  }
});

test('a predicate on the response catches a failure answered with 200', async () => {
  const lines: string[] = [];
  const server = await serve(withBanward({
    failWhen: ({ route, res }) => route === '/admin/login' &&
      (res as import('node:http').ServerResponse).getHeader('X-Login') === 'failed',
    lockout: false,
    log: (line) => lines.push(line),
  }, loginApp(200)));
  try {
    assert.equal((await fetch(`${server.url}/admin/login?password=wrong`)).status, 200);
    assert.equal((await fetch(`${server.url}/admin/login?password=right`)).status, 200);
    assert.equal((await fetch(`${server.url}/elsewhere`)).status, 200);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, / banward-web: login failed ip=127\.0\.0\.1 user="" route="\/admin\/login"$/);
  } finally {
    await server.close();
  }
});

test('explicit fail() and succeed(): by username, a success resets the count, a request counts once', async () => {
  const clock = manualClock();
  const server = await serve(withBanward({
    rules: [{ path: '/login', status: 401 }],
    lockout: { by: ['username'], maxFailures: 2, durationSeconds: 30 },
    clock: clock.now,
  }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const username = url.searchParams.get('user') ?? '';
    if (url.searchParams.get('password') === 'right') {
      req.banward.succeed({ username });
      res.end('ok');
      return;
    }
    // Counted by fail() here and matched by the rule too: still one failure.
    const retryAfter = await req.banward.fail({ username });
    res.statusCode = 401;
    res.end(String(retryAfter));
  }));
  try {
    const login = (q: string) => fetch(`${server.url}/login?${q}`).then(async (r) => [r.status, await r.text()]);
    assert.deepEqual(await login('user=bob'), [401, '0']);
    assert.deepEqual(await login('user=bob&password=right'), [200, 'ok']);
    assert.deepEqual(await login('user=bob'), [401, '0']);
    assert.deepEqual(await login('user=bob'), [401, '30'], 'the second failure after the reset locks bob');
    assert.deepEqual(await login('user=alice'), [401, '0'], 'another user is not locked');
  } finally {
    await server.close();
  }
});
