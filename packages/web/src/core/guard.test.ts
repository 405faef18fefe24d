import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeDaemon } from '../../test/fake-daemon.js';
import { manualClock } from '../../test/http.js';
import { createGuard, type Guard } from './guard.js';
import type { BanwardWebOptions } from './options.js';

const start = (guard: Guard, ip: string, username?: string, route = '/login') =>
  guard.begin({ ip, method: 'POST', route, username });

async function failTimes(guard: Guard, n: number, ip: string, username?: string) {
  for (let i = 0; i < n; i++) await start(guard, ip, username).fail();
}

function guardWith(options: BanwardWebOptions) {
  const clock = manualClock();
  return { clock, guard: createGuard({ clock: clock.now, ...options }) };
}

test('lockout.by: a list is OR, a nested list is one counter for both (AND)', async () => {
  const { guard } = guardWith({ lockout: { by: ['username', ['ip', 'username']], maxFailures: 2 } });
  await failTimes(guard, 1, '203.0.113.1', 'bob');
  await failTimes(guard, 1, '203.0.113.2', 'bob');
  assert.ok(start(guard, '198.51.100.9', 'bob').refusal, "bob is locked everywhere: the 'username' counter reached 2");
  assert.equal(start(guard, '203.0.113.1', 'alice').refusal, null, 'the address alone is not a counter');

  const and = guardWith({ lockout: { by: ['ip+username'], maxFailures: 2 } }).guard;
  await failTimes(and, 1, '203.0.113.1', 'bob');
  await failTimes(and, 1, '203.0.113.2', 'bob');
  assert.equal(start(and, '203.0.113.1', 'bob').refusal, null, 'one failure per pair: nothing locked');
  await failTimes(and, 1, '203.0.113.1', 'bob');
  assert.ok(start(and, '203.0.113.1', 'bob').refusal);
  assert.equal(start(and, '203.0.113.1', 'alice').refusal, null);
  assert.equal(start(and, '203.0.113.2', 'bob').refusal, null);
});

test('user names are bounded and cannot forge a combined key with NUL', async () => {
  const { guard } = guardWith({ lockout: { by: [['ip', 'username']], maxFailures: 1 } });
  await start(guard, '203.0.113.1', 'bob\u0000ip=198.51.100.1').fail();
  assert.equal(start(guard, '198.51.100.1', 'bob').refusal, null);
  assert.ok(start(guard, '203.0.113.1', 'bobip=198.51.100.1').refusal, 'the NUL is dropped, the rest is the name');
  await start(guard, '203.0.113.2', 'x'.repeat(10_000)).fail();
  assert.ok(start(guard, '203.0.113.2', 'x'.repeat(256)).refusal, 'names are cut at 256 characters');
});

test('allowlist: those addresses are never locked, logged or counted', async () => {
  const lines: string[] = [];
  const { guard } = guardWith({ allowlist: ['10.0.0.0/8', '2001:db8::/32'], lockout: { maxFailures: 1 }, log: (l) => lines.push(l) });
  await failTimes(guard, 3, '10.1.2.3');
  await failTimes(guard, 3, '2001:db8::5');
  assert.equal(start(guard, '10.1.2.3').refusal, null);
  assert.equal(start(guard, '2001:db8::5').refusal, null);
  assert.deepEqual(lines, []);
  await failTimes(guard, 1, '203.0.113.7');
  assert.equal(start(guard, '203.0.113.7').refusal?.status, 429);
});

test('restrict: only listed addresses reach the path and what is under it (seed 002 ADMIN_IP_WHITELIST)', () => {
  const { guard } = guardWith({ restrict: [{ path: '/admin', allow: ['loopback', '192.168.10.0/24'] }, { path: /^\/internal\b/, allow: ['10.0.0.1'] }] });
  const at = (ip: string, route: string) => guard.begin({ ip, method: 'GET', route }).refusal?.status ?? 200;
  assert.deepEqual(
    [at('203.0.113.5', '/admin'), at('203.0.113.5', '/admin/login/'), at('203.0.113.5', '/administrator'), at('127.0.0.1', '/admin/'),
      at('192.168.10.20', '/admin/users'), at('203.0.113.5', '/internal/x'), at('10.0.0.1', '/internal/x')],
    [403, 403, 200, 200, 200, 403, 200]);
  assert.equal(guard.begin({ ip: null, method: 'GET', route: '/admin' }).refusal?.status, 403, 'no address, no way in');
});

test('lockedResponse changes status, headers and body; an object body goes out as JSON', async () => {
  const { guard } = guardWith({
    lockout: { maxFailures: 1, durationSeconds: 90 },
    lockedResponse: (info) => (info.reason === 'locked' ? { body: { error: 'locked', retryAfter: info.retryAfter }, headers: { 'X-Locked': '1' } } : undefined),
  });
  await failTimes(guard, 1, '203.0.113.5');
  assert.deepEqual(start(guard, '203.0.113.5').refusal, {
    status: 429,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '90', 'X-Locked': '1' },
    body: '{"error":"locked","retryAfter":90}',
  });
});

test('progressive cool-off through the guard: the second lock lasts factor times longer', async () => {
  const { guard, clock } = guardWith({ lockout: { maxFailures: 2, durationSeconds: 60, factor: 4 } });
  await failTimes(guard, 2, '203.0.113.5');
  assert.equal(start(guard, '203.0.113.5').retryAfter, 60);
  clock.advance(60_000);
  await failTimes(guard, 2, '203.0.113.5');
  assert.equal(start(guard, '203.0.113.5').retryAfter, 240);
});

test('followDaemon: the daemon decides the address, a report reply locks at once, an unban frees app counters too', async () => {
  const daemon = await fakeDaemon();
  const { guard } = guardWith({ jail: 'web-login', socket: daemon.path, lockout: { maxFailures: 3, by: ['ip', ['ip', 'username']] }, reporter: { batchDelayMs: 0 } });
  try {
    await guard.ready;
    await failTimes(guard, 2, '203.0.113.5', 'bob');
    await guard.flush();
    assert.equal(start(guard, '203.0.113.5').retryAfter, 600, "the daemon's ban (second report) locks before the app's own limit of 3");
    await failTimes(guard, 1, '203.0.113.5', 'bob');
    assert.ok(start(guard, '203.0.113.5', 'bob').refusal, 'the address+user counter reached 3 in the app');
    daemon.bans.delete('203.0.113.5');
    await guard.flush();
    assert.equal(start(guard, '203.0.113.5', 'bob').refusal, null, 'banward unban lifts the ban and the app lock on that address');
  } finally {
    await guard.close();
    await daemon.close();
  }
});

test('followDaemon: the failure that reaches the app\'s limit locks at once, until the daemon answers its report', async () => {
  const daemon = await fakeDaemon();
  const { guard } = guardWith({ jail: 'web-login', socket: daemon.path, lockout: { maxFailures: 1, durationSeconds: 120 }, reporter: { batchDelayMs: 60_000 } });
  try {
    await guard.ready;
    assert.equal(await start(guard, '203.0.113.5').fail(), 120, 'the app\'s own lock, while the report waits in the queue');
    assert.equal(start(guard, '203.0.113.5').refusal?.status, 429, 'no second guess while the report is batched');
    await guard.flush();
    assert.equal(start(guard, '203.0.113.5').refusal, null, 'the daemon answered without a ban (it bans on the second report): its word stands');
    await start(guard, '203.0.113.5').fail();
    await guard.flush();
    assert.equal(start(guard, '203.0.113.5').retryAfter, 600, "now the daemon's ban locks the address");
  } finally {
    await guard.close();
    await daemon.close();
  }
});

test('daemon unreachable: fail-open counts in the app; failClosed answers 503', async () => {
  const socket = join(tmpdir(), 'banward-web-no-daemon.sock');
  const open = guardWith({ jail: 'web-login', socket, lockout: { maxFailures: 2 } }).guard;
  const closed = guardWith({ jail: 'web-login', socket, failClosed: true }).guard;
  await Promise.all([open.ready, closed.ready]);
  assert.equal(start(open, '203.0.113.5').refusal, null);
  await failTimes(open, 2, '203.0.113.5');
  assert.equal(start(open, '203.0.113.5').refusal?.status, 429, 'local counting goes on while the daemon is away');
  const refusal = start(closed, '203.0.113.5').refusal;
  assert.equal(refusal?.status, 503);
  assert.equal(refusal?.headers['Retry-After'], '2');
  await Promise.all([open.close(), closed.close()]);
});

test('issue 11 defect 8: a successful login resets only the user name\'s counters: 4 wrong + 1 right, five times over, locks the address', async () => {
  const { guard } = guardWith({ lockout: { maxFailures: 5 } });
  const statuses: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 4; i++) {
      const attempt = start(guard, '203.0.113.5', 'alice');
      statuses.push(attempt.refusal?.status ?? 401);
      await attempt.fail();
    }
    const attempt = start(guard, '203.0.113.5', 'alice');
    statuses.push(attempt.refusal?.status ?? 200);
    attempt.succeed();
  }
  assert.deepEqual(statuses.slice(0, 6), [401, 401, 401, 401, 200, 401], 'the first round is counted, the right login lets in');
  assert.ok(statuses.slice(6).every((s) => s === 429), `locked from the fifth wrong guess on: ${statuses.join(' ')}`);
});

test('issue 11 defect 8: a successful login resets the counters by user name and by address+user name', async () => {
  const { guard } = guardWith({ lockout: { by: ['username', ['ip', 'username']], maxFailures: 5 } });
  for (let round = 0; round < 3; round++) {
    await failTimes(guard, 4, '203.0.113.5', 'alice');
    start(guard, '203.0.113.5', 'alice').succeed();
  }
  assert.equal(start(guard, '203.0.113.5', 'alice').refusal, null, 'alice proved her password: her counters start again');
  await failTimes(guard, 4, '203.0.113.5', 'alice');
  start(guard, '203.0.113.5', 'mallory').succeed();
  await failTimes(guard, 1, '203.0.113.5', 'alice');
  assert.equal(start(guard, '203.0.113.5', 'alice').refusal?.status, 429, "another account's sign-in resets nothing of alice's");
});

test('issue 11 defect 9: an unknown client (ip null) is counted against no address, not reported or logged; failClosed refuses it', async () => {
  const lines: string[] = [];
  const daemon = await fakeDaemon();
  const open = guardWith({ jail: 'web-login', socket: daemon.path, lockout: { maxFailures: 1 }, log: (l) => lines.push(l), reporter: { batchDelayMs: 0 } }).guard;
  const closed = guardWith({ lockout: { maxFailures: 1 }, failClosed: true }).guard;
  try {
    await open.ready;
    const unknown = open.begin({ ip: null, method: 'POST', route: '/login' });
    assert.equal(unknown.refusal, null, 'fail-open: the request goes on');
    assert.equal(await unknown.fail(), 0);
    await open.flush();
    assert.deepEqual([lines, [...daemon.bans.keys()]], [[], []]);
    assert.equal(start(open, '127.0.0.1').refusal, null, 'the proxy is not locked');
    assert.equal(open.begin({ ip: null, method: 'POST', route: '/login' }).refusal, null, 'nor are the unknown clients together');
    const refusal = closed.begin({ ip: null, method: 'POST', route: '/login' }).refusal;
    assert.equal(refusal?.status, 503);
    assert.equal(refusal?.headers['Retry-After'], undefined, 'waiting does not make the address known');
    assert.equal(start(closed, '203.0.113.5').refusal, null, 'known clients go on');
  } finally {
    await Promise.all([open.close(), closed.close()]);
    await daemon.close();
  }
});
