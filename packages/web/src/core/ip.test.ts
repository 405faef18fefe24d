import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipKey, normalizeIp, normalizeRange, rangesOverlap } from './ip.js';

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

const RANGES: [string, string | null][] = [
  ['2001:DB8:1:2:0::/64', '2001:db8:1:2::/64'],
  ['2001:db8:1:2:3:4:5:6/64', '2001:db8:1:2::/64'],
  ['2001:db8::1/128', '2001:db8::1'],
  ['198.51.100.77/24', '198.51.100.0/24'],
  ['198.51.100.77/32', '198.51.100.77'],
  ['0.0.0.0/0', '0.0.0.0/0'],
  ['::/0', '::/0'],
  ['198.51.100.77', '198.51.100.77'],
  ['::ffff:198.51.100.77', '198.51.100.77'],
  ['::ffff:198.51.100.0/120', null],
  ['198.51.100.0/33', null],
  ['2001:db8::/129', null],
  ['2001:db8::/-1', null],
  ['2001:db8::/', null],
  ['garbage/24', null],
];

for (const [raw, expected] of RANGES) {
  test(`normalizeRange(${raw}) is ${expected}`, () => assert.equal(normalizeRange(raw), expected));
}

const OVERLAPS: [string, string, boolean][] = [
  ['2001:db8:1:2::/64', '2001:db8:1:2::99', true],
  ['2001:db8:1:2::99', '2001:db8:1:2::/64', true],
  ['2001:db8:1:2::/64', '2001:db8:1:3::1', false],
  ['2001:db8:1::/48', '2001:db8:1:2::/64', true],
  ['2001:db8:1:2::/64', '2001:db8:1:2::/96', true],
  ['2001:db8:1:2::/64', '2001:db8:1:3::/64', false],
  ['198.51.100.0/24', '198.51.100.200', true],
  ['198.51.100.0/24', '198.51.101.0', false],
  ['198.51.100.5', '198.51.100.5', true],
  ['0.0.0.0/0', '::1', false],
  ['::/0', '198.51.100.5', false],
];

for (const [a, b, expected] of OVERLAPS) {
  test(`rangesOverlap(${a}, ${b}) is ${expected}`, () => assert.equal(rangesOverlap(a, b), expected));
}
