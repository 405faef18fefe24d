import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipKey, normalizeIp } from './ip.js';

const NORMALIZED: [string | undefined, string | null][] = [
  ['203.0.113.5', '203.0.113.5'],
  ['::ffff:203.0.113.5', '203.0.113.5'],
  ['::FFFF:cb00:7105', '203.0.113.5'],
  ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['fe80::1%eth0', 'fe80::1'],
  ['::1', '::1'],
  [' 2001:db8::5 ', '2001:db8::5'],
  ['not-an-ip', null],
  ['203.0.113.5:8080', null],
  ['', null],
  [undefined, null],
];

for (const [raw, expected] of NORMALIZED) {
  test(`normalizeIp(${JSON.stringify(raw)}) is ${expected}`, () => assert.equal(normalizeIp(raw), expected));
}

const KEYS: [string, number, string][] = [
  ['203.0.113.5', 64, '203.0.113.5'],
  ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2::/64'],
  ['2001:db8:1:2:ffff::1', 64, '2001:db8:1:2::/64'],
  ['2001:db8:1:2:3:4:5:6', 48, '2001:db8:1::/48'],
  ['2001:db8:1:2:3:4:5:6', 56, '2001:db8:1::/56'],
  ['2001:db8:1:2ff::', 56, '2001:db8:1:200::/56'],
  ['2001:db8::1', 128, '2001:db8::1'],
];

for (const [ip, prefix, expected] of KEYS) {
  test(`ipKey(${ip}, ${prefix}) is ${expected}`, () => assert.equal(ipKey(ip, prefix), expected));
}
