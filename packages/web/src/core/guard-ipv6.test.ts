import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeDaemon } from '../../test/fake-daemon.js';
import { manualClock } from '../../test/http.js';
import { DaemonBans } from './daemon-bans.js';
import { createGuard } from './guard.js';
import { ipKey } from './ip.js';
import type { BanwardWebOptions } from './options.js';

function guardWith(options: BanwardWebOptions) {
  const clock = manualClock();
  return { clock, guard: createGuard({ clock: clock.now, jail: 'web-login', reporter: { batchDelayMs: 0 }, ...options }) };
}

test('issue 11 defect 7: 8 addresses of one /64 are locked by the app\'s /64 key while a daemon counting per address decides', async () => {
  const daemon = await fakeDaemon();
  const { guard } = guardWith({ socket: daemon.path, lockout: { maxFailures: 5 } });
  try {
    await guard.ready;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const attempt = guard.begin({ ip: `2001:db8:1:2::${(i % 8) + 1}`, method: 'POST', route: '/login' });
      statuses.push(attempt.refusal?.status ?? 401);
      await attempt.fail();
      await guard.flush();
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    assert.equal(guard.begin({ ip: '2001:db8:1:2:ffff::1', method: 'GET', route: '/' }).refusal?.status, 429, 'every address of the /64');
    assert.equal(guard.begin({ ip: '2001:db8:1:3::1', method: 'GET', route: '/' }).refusal, null, 'the next /64 is another client');
    assert.deepEqual([...daemon.bans.keys()], [], 'the daemon, counting per address, banned none of them');
  } finally {
    await guard.close();
    await daemon.close();
  }
});

test('issue 11 defect 7: a CIDR ban in a report reply covers every address in it, not its neighbours (IPv4-mapped is IPv4)', async () => {
  const bans = new DaemonBans({ socketPath: join(tmpdir(), 'banward-web-no-daemon.sock'), jail: 'web-login', syncMs: 60_000, timeoutMs: 1000, clock: Date.now, onUnban: () => {} });
  await bans.ready;
  const expires = Date.parse('2026-11-22T10:10:00Z') / 1000;
  bans.noteReportResult({ accepted: true, ban: { ip: '2001:DB8:1:2:0::/64', time: expires - 600, bantime: 600, expires } });
  bans.noteReportResult({ accepted: true, ban: { ip: '198.51.100.0/24', time: expires - 600, bantime: 600, expires } });
  const now = expires * 1000 - 600_000;
  assert.deepEqual(
    ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:3::1', '198.51.100.77', '198.51.101.1', '::ffff:198.51.100.8']
      .map((ip) => bans.bannedFor(ip, now)),
    [600_000, 600_000, 0, 600_000, 0, 600_000]);
  await bans.close();
});

test('issue 11 defect 7: a /64 the daemon bans (countprefix6) locks the app; its unban frees the app\'s /64 counter too', async () => {
  const daemon = await fakeDaemon({ banAs: (ip) => ipKey(ip, 64) });
  const { guard } = guardWith({ socket: daemon.path, lockout: { maxFailures: 2, durationSeconds: 60 } });
  try {
    await guard.ready;
    await guard.begin({ ip: '2001:db8:1:2::1', method: 'POST', route: '/login' }).fail();
    await guard.begin({ ip: '2001:db8:1:2::2', method: 'POST', route: '/login' }).fail();
    await guard.flush();
    assert.deepEqual([...daemon.bans.keys()], ['2001:db8:1:2::/64']);
    assert.equal(guard.begin({ ip: '2001:db8:1:2::99', method: 'GET', route: '/' }).retryAfter, 600, "the daemon's ban of the prefix, longer than the app's lock");
    daemon.bans.delete('2001:db8:1:2::/64');
    await guard.flush();
    assert.equal(guard.begin({ ip: '2001:db8:1:2::99', method: 'GET', route: '/' }).refusal, null, 'banward unban of the prefix lifts the app lock too');
  } finally {
    await guard.close();
    await daemon.close();
  }
});
