import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { banward, type Attempt } from '../src/express/index.js';
import { manualClock, serve } from './http.js';

/** The part of Express the scenario uses: the same in 4 and 5, whose types differ elsewhere. */
interface ExpressLike {
  (): RequestListener & {
    use(handler: unknown): unknown;
    post(path: string, handler: (req: { body: unknown; banward: Attempt }, res: LoginResponse, next: (error: unknown) => void) => void): unknown;
  };
  json(): unknown;
}

interface LoginResponse {
  send(body: string): unknown;
  status(code: number): LoginResponse;
}

/**
 * The Express scenario every supported major runs: req.banward.fail() locks the client a trusted proxy
 * names, the spoofed addresses in front of it neither evade the lock nor frame anyone.
 */
export async function expressLoginScenario(createApp: ExpressLike): Promise<void> {
  const clock = manualClock();
  const lines: string[] = [];
  const app = createApp();
  app.use(createApp.json());
  app.use(banward({ trustProxy: ['loopback'], lockout: { maxFailures: 2, durationSeconds: 60 }, log: (l) => lines.push(l), clock: clock.now }));
  app.post('/login', (req, res, next) => {
    const { username, password } = req.body as { username: string; password: string };
    if (password === 'right') {
      req.banward.succeed({ username });
      res.send('ok');
      return;
    }
    req.banward.fail({ username }).then(() => res.status(401).send('bad login'), next);
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
}
