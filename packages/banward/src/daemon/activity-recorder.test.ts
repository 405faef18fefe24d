import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ActivityRecorder, networkOf } from './activity-recorder.js';

test('networkOf: IPv4 /24, IPv6 /64, a network no wider than it is, a raw id as it is', () => {
  assert.equal(networkOf('203.0.113.77'), '203.0.113.0/24');
  assert.equal(networkOf('2001:db8:1:2:3::4'), '2001:db8:1:2::/64');
  assert.equal(networkOf('2001:db8::/48'), '2001:db8::/48');
  assert.equal(networkOf('user@example'), 'user@example');
});

test('ActivityRecorder counts found and ban per jail-minute and address-hour on the events\' times, and starts afresh after take()', () => {
  const recorder = new ActivityRecorder();
  recorder.record({ type: 'found', jail: 'sshd', ip: '203.0.113.7', time: 7230, lines: ['x'] });
  recorder.record({ type: 'found', jail: 'sshd', ip: '203.0.113.7', time: 7259, lines: ['x'] });
  recorder.record({ type: 'ban', jail: 'sshd', ip: '203.0.113.7', time: 7260, bantime: 600, banCount: 1, failures: 2 });
  recorder.record({ type: 'unban', jail: 'sshd', ip: '203.0.113.7', time: 7300, reason: 'lifted' });
  recorder.record({ type: 'reload', jails: [], time: 7300 });
  assert.deepEqual(recorder.take(), {
    minutes: [{ jail: 'sshd', minute: 7200, failures: 2, bans: 0 }, { jail: 'sshd', minute: 7260, failures: 0, bans: 1 }],
    offenders: [{ ip: '203.0.113.7', hour: 7200, network: '203.0.113.0/24', failures: 2, bans: 1 }],
  });
  assert.deepEqual(recorder.take(), { minutes: [], offenders: [] });
});
