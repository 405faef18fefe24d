import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { FleetMessage } from './fleet-message.js';
import { staleBans } from './_publisher.js';
import { compareIds } from './_redis-client.js';

const message = (type: 'ban' | 'unban', ip: string, end: number | null = 2000): FleetMessage => ({
  v: 1, id: `${type}-${ip}`, node: 'web-1', type, jail: 'sshd', ip, time: 1000, end: type === 'ban' ? end : null, bantime: 1000, banCount: 1,
});

test('an outbox flushed after an outage leaves out bans that ended or were lifted later in the batch, never their unbans', () => {
  const batch = [
    message('ban', '192.0.2.1'),
    message('ban', '192.0.2.2', 1400),
    message('ban', '192.0.2.3'),
    message('unban', '192.0.2.3'),
    message('unban', '192.0.2.4'),
    message('ban', '192.0.2.4'),
    message('ban', '192.0.2.5', null),
  ];
  assert.deepEqual([...staleBans(batch, 1500)].sort(), [1, 2], 'ended (1), lifted after (2); banned again after its unban (5) stays');
});

test('stream ids compare by time, then sequence, as numbers', () => {
  assert.equal(compareIds('1700000000000-2', '1700000000000-10'), -1);
  assert.equal(compareIds('1700000000001-0', '1700000000000-99'), 1);
  assert.equal(compareIds('999-0', '1000-0'), -1);
  assert.equal(compareIds('5-5', '5-5'), 0);
});
