import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { canonical, formatIp, ipInNetwork, networksOverlap, parseIp } from './ip-address.js';

test('ip-address: parse and format, canonical as inet_ntop writes it', () => {
  const cases: Array<[string, string | null]> = [
    ['203.0.113.5', '203.0.113.5'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['203.0.113.77/24', '203.0.113.0/24'],
    ['2001:db8::1/64', '2001:db8::/64'],
    ['999.1.1.1', null],
    ['example.org', null],
    ['1.2.3.4/33', null],
  ];
  for (const [text, expected] of cases) {
    const ip = parseIp(text);
    assert.equal(ip === null ? null : formatIp(ip), expected, text);
  }
});

test('ip-address: network membership', () => {
  const net = parseIp('203.0.113.0/24')!;
  assert.equal(ipInNetwork(parseIp('203.0.113.200')!, net), true);
  assert.equal(ipInNetwork(parseIp('203.0.114.1')!, net), false);
  assert.equal(ipInNetwork(parseIp('2001:db8::1')!, parseIp('2001:db8::/32')!), true);
  assert.equal(ipInNetwork(parseIp('2001:db8::1')!, net), false);
});

test('ip-address: networks overlap when one contains the other', () => {
  const overlap = (a: string, b: string) => networksOverlap(parseIp(a)!, parseIp(b)!);
  assert.equal(overlap('0.0.0.0/1', '127.0.0.0/8'), true);
  assert.equal(overlap('127.0.0.1', '0.0.0.0/1'), true);
  assert.equal(overlap('128.0.0.0/1', '127.0.0.0/8'), false);
  assert.equal(overlap('2001:db8:1:2::/64', '2001:db8:1:2::5'), true);
  assert.equal(overlap('2001:db8::/32', '10.0.0.0/8'), false);
});

test('fuzz finding: a /0 network is written with its prefix, not as the bare address', () => {
  assert.equal(formatIp(parseIp('1.2.3.4/0')!), '0.0.0.0/0');
  assert.equal(formatIp(parseIp('::/0')!), '::/0');
  assert.equal(ipInNetwork(parseIp('203.0.113.5')!, parseIp('0.0.0.0/0')!), true);
});

test('fuzz finding: a netmask after the slash is read as fail2ban reads it; a host mask is refused', () => {
  assert.equal(formatIp(parseIp('203.0.113.77/255.255.255.0')!), '203.0.113.0/24');
  assert.equal(formatIp(parseIp('10.1.2.3/255.0.0.0')!), '10.0.0.0/8');
  assert.equal(formatIp(parseIp('10.1.2.3/255.255.255.255')!), '10.1.2.3');
  assert.equal(parseIp('10.1.2.3/0.0.0.255'), null);
  assert.equal(parseIp('10.1.2.3/255.0.255.0'), null);
  assert.equal(parseIp('2001:db8::/255.255.255.0'), null);
});

test('fuzz finding: a prefix length with leading zeros is read as Python ipaddress reads it', () => {
  assert.equal(formatIp(parseIp('203.0.113.77/024')!), '203.0.113.0/24');
  assert.equal(formatIp(parseIp('2001:db8::1/0064')!), '2001:db8::/64');
  assert.equal(parseIp('203.0.113.77/0033'), null);
  assert.equal(parseIp('203.0.113.77/ 24'), null);
});

test('ip-address: canonical() spells an address one way and keeps other ids as written, trimmed', () => {
  assert.equal(canonical('::ffff:203.0.113.5'), '203.0.113.5');
  assert.equal(canonical(' 2001:DB8:0::5 '), '2001:db8::5');
  assert.equal(canonical('198.51.100.0/24'), '198.51.100.0/24');
  assert.equal(canonical(' host.example.org '), 'host.example.org');
  assert.equal(canonical('alice@example.org'), 'alice@example.org');
});
