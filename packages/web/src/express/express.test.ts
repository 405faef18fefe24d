import assert from 'node:assert/strict';
import { test } from 'node:test';
import express from 'express';
import { banward } from './index.js';
import { manualClock, serve } from '../../test/http.js';

test('Express: req.banward.fail() locks the client behind a trusted proxy, not the spoofed address', async () => {
  const clock = manualClock();
  const lines: string[] = [];
  const app = express();
  app.use(express.json());
  app.use(banward({ trustProxy: ['loopback'], lockout: { maxFailures: 2, durationSeconds: 60 }, log: (l) => lines.push(l), clock: clock.now }));
  app.post('/login', (req, res) => {
    const { username, password } = req.body as { username: string; password: string };
    if (password === 'right') {
      req.banward.succeed({ username });
      res.send('ok');
      return;
    }
    req.banward.fail({ username });
    res.status(401).send('bad login');
  });
  const server = await serve(app);
  try {
    const login = (xff: string, password: string) => fetch(`${server.url}/login?next=/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': xff },
      body: JSON.stringify({ username: 'bob', password }),
    });
    assert.equal((await login('198.51.100.1, 203.0.113.5', 'wrong')).status, 401);
    assert.equal((await login('198.51.100.2, 203.0.113.5', 'wrong')).status, 401);
    const locked = await login('198.51.100.3, 203.0.113.5', 'right');
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get('retry-after'), '60');
    assert.equal((await login('203.0.113.6', 'right')).status, 200, 'another client is not framed');
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), [
      'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
      'banward-web: login failed ip=203.0.113.5 user="bob" route="/login"',
    ]);
  } finally {
    await server.close();
  }
});
