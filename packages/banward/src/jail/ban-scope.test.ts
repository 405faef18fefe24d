import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { banCovers, countingKey } from './ban-scope.js';

test('issue 11 defect 7: with countprefix6 = 64 the addresses of one /64 share one counting key', () => {
  const keys = new Set(Array.from({ length: 8 }, (_, i) => countingKey(`2001:db8:1:2::${(i + 1).toString(16)}`, 64)));
  assert.deepEqual([...keys], ['2001:db8:1:2::/64']);
  assert.equal(countingKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 48), '2001:db8:1::/48');
  assert.equal(countingKey('2001:db8:1:3::1', 64), '2001:db8:1:3::/64', 'the next /64 is another key');
});

test('counting key: off (0), IPv4, IPv4-mapped IPv6, non-addresses and networks no longer than N keep their id', () => {
  assert.equal(countingKey('2001:db8::1', 0), '2001:db8::1');
  assert.equal(countingKey('203.0.113.5', 64), '203.0.113.5');
  assert.equal(countingKey('::ffff:203.0.113.5', 64), '::ffff:203.0.113.5', 'mapped IPv4 is IPv4 (canonical() makes it 203.0.113.5)');
  assert.equal(countingKey('bob', 64), 'bob');
  assert.equal(countingKey('2001:db8::/32', 64), '2001:db8::/32');
});

test('banCovers: a network ban covers its addresses, an address ban only itself', () => {
  assert.equal(banCovers('2001:db8:1:2::/64', '2001:db8:1:2::9'), true);
  assert.equal(banCovers('2001:db8:1:2::/64', '2001:db8:1:3::9'), false);
  assert.equal(banCovers('203.0.113.5', '203.0.113.5'), true);
  assert.equal(banCovers('203.0.113.5', '203.0.113.6'), false);
  assert.equal(banCovers('bob', 'bob'), true);
  assert.equal(banCovers('bob', '203.0.113.5'), false);
});
