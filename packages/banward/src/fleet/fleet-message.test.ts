import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { encodeMessage, MAX_MESSAGE_BYTES, parseMessage, type FleetMessage, type JailCheck } from './fleet-message.js';

const NOW = 1_800_000_000;
const jails: JailCheck = { known: (j) => j === 'sshd' || j === 'local-only', applied: (j) => j === 'sshd' };
const ban: FleetMessage = { v: 1, id: 'a1b2-c3', node: 'web-1', type: 'ban', jail: 'sshd', ip: '192.0.2.7', time: NOW - 10, end: NOW + 590, bantime: 600, banCount: 1 };
const parse = (value: unknown) => parseMessage(typeof value === 'string' ? value : JSON.stringify(value), jails, NOW);
const droppedAs = (value: unknown) => {
  const parsed = parse(value);
  return 'dropped' in parsed ? parsed.dropped : 'accepted';
};

test('a ban, an unban, a permanent ban and a network are accepted as written', () => {
  assert.deepEqual(parse(encodeMessage(ban)), { message: ban });
  const unban = { ...ban, type: 'unban', end: null, bantime: 0, banCount: 0 };
  assert.deepEqual(parse(unban), { message: unban });
  assert.equal(droppedAs({ ...ban, bantime: -1, end: null }), 'accepted');
  assert.equal(droppedAs({ ...ban, ip: '2001:db8::/64' }), 'accepted');
});

test('hostile messages are dropped with their reason, never thrown', () => {
  const cases: Array<[unknown, string]> = [
    ['{"v":1,', 'malformed'],
    ['[1,2,3]', 'malformed'],
    ['null', 'malformed'],
    [`{"pad":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}`, 'oversized'],
    [{ ...ban, v: 2 }, 'malformed'],
    [{ ...ban, extra: 1 }, 'malformed'],
    [{ ...ban, id: 'x'.repeat(65) }, 'malformed'],
    [{ ...ban, node: '../etc' }, 'malformed'],
    [{ ...ban, type: 'flush' }, 'malformed'],
    [{ ...ban, jail: 'ssh d' }, 'malformed'],
    [{ ...ban, time: 'yesterday' }, 'malformed'],
    [{ ...ban, time: NOW + 10 * 86_400, end: NOW + 10 * 86_400 + 600 }, 'malformed'],
    [{ ...ban, bantime: -5 }, 'malformed'],
    [{ ...ban, end: NOW + 99_999 }, 'malformed'],
    [{ ...ban, end: null }, 'malformed'],
    [{ ...ban, banCount: 0 }, 'malformed'],
    [{ ...ban, banCount: 1.5 }, 'malformed'],
    [{ ...ban, type: 'unban', end: NOW }, 'malformed'],
    [{ ...ban, ip: 'example.com' }, 'bad-address'],
    [{ ...ban, ip: '0.0.0.0/0' }, 'bad-address'],
    [{ ...ban, ip: '::/0' }, 'bad-address'],
    [{ ...ban, ip: '192.0.2.5/24' }, 'bad-address'],
    [{ ...ban, ip: '::ffff:192.0.2.7' }, 'bad-address'],
    [{ ...ban, ip: '192.000.2.7' }, 'bad-address'],
    [{ ...ban, jail: 'nginx' }, 'unknown-jail'],
    [{ ...ban, jail: 'local-only' }, 'not-applied'],
  ];
  for (const [value, reason] of cases) assert.equal(droppedAs(value), reason, JSON.stringify(value).slice(0, 120));
  assert.equal(droppedAs(undefined as unknown as string), 'malformed');
  assert.deepEqual(parseMessage(42, jails, NOW), { dropped: 'malformed', detail: 'no msg field' });
});

test('the encoding keeps the documented field order', () => {
  assert.deepEqual(Object.keys(JSON.parse(encodeMessage({ ...ban, extra: 1 } as FleetMessage)) as object), ['v', 'id', 'node', 'type', 'jail', 'ip', 'time', 'end', 'bantime', 'banCount']);
});
