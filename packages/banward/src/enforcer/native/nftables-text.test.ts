import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { desiredElements, diffElements } from './_elements.js';
import { parseFirewallOptions, resolveSpec, type ResolvedSpec } from './_options.js';
import { elementsText, nftNames, parseNftDeletion, parseNftState, ruleLines, setupText, teardownText } from './nftables-text.js';

function spec(options: Record<string, string>): ResolvedSpec {
  const parsed = parseFirewallOptions(options);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const resolved = resolveSpec(parsed.value, 'ssh\t\t22/tcp\nhttps\t\t443/tcp\thttp-secure\n');
  assert.ok(resolved.ok, JSON.stringify(resolved));
  return resolved.value;
}

test('nftables-text: jail names become identifiers one-to-one, clear of keywords', () => {
  assert.deepEqual(nftNames('sshd'), { chains: { input: 'sshd-in', forward: 'sshd-fwd' }, set4: 'sshd-v4', set6: 'sshd-v6' });
  assert.equal(nftNames('nginx_limit-req').set4, 'nginx_limit-req-v4');
  assert.equal(nftNames('drop').chains.input, 'drop-in');
  assert.equal(nftNames('my jail;flush ruleset').set4, 'my.20jail.3bflush.20ruleset-v4');
  assert.equal(nftNames('2fa').set4, '_2fa-v4');
  assert.equal(nftNames('_2fa').set4, '__2fa-v4');
  assert.equal(nftNames('é').set4, '_.c3.a9-v4');
  assert.throws(() => nftNames('x'.repeat(300)), /too long/);
});

test('nftables-text: rules for ports, services, ranges, protocols, allports and all', () => {
  const names = nftNames('sshd');
  assert.deepEqual(ruleLines(names, spec({ port: 'ssh, 443,8000:8010', protocol: 'tcp' }), ['input']), [
    'add rule inet banward sshd-in tcp dport { 22, 443, 8000-8010 } ip saddr @sshd-v4 counter drop',
    'add rule inet banward sshd-in tcp dport { 22, 443, 8000-8010 } ip6 saddr @sshd-v6 counter drop',
  ]);
  assert.equal(ruleLines(names, spec({ port: '53', protocol: 'tcp,udp', blocktype: 'reject' }), ['input']).length, 4);
  assert.match(ruleLines(names, spec({ port: '53', protocol: 'tcp,udp', blocktype: 'REJECT' }), ['input'])[2]!, /^add rule inet banward sshd-in udp dport \{ 53 \} ip saddr @sshd-v4 counter reject$/);
  assert.deepEqual(ruleLines(names, spec({ type: 'allports', protocol: 'tcp' }), ['input'])[0], 'add rule inet banward sshd-in meta l4proto { tcp } ip saddr @sshd-v4 counter drop');
  assert.deepEqual(ruleLines(names, spec({ protocol: 'all', port: 'ssh' }), ['input'])[1], 'add rule inet banward sshd-in ip6 saddr @sshd-v6 counter drop');
  assert.match(setupText(names, spec({}), ['input']), /^add table inet banward\n.*type ipv4_addr; flags interval, timeout;.*\n.*type ipv6_addr.*\nadd chain inet banward sshd-in \{ type filter hook input priority filter - 1; policy accept; \}\nadd chain inet banward sshd-fwd \{ type filter hook forward priority filter - 1; policy accept; \}\nflush chain inet banward sshd-fwd\ndelete chain inet banward sshd-fwd\nflush chain inet banward sshd-in\n.*tcp dport \{ 0-65535 \}/s);
  assert.match(teardownText(names), /flush chain inet banward sshd-in\ndelete chain inet banward sshd-in\nflush chain inet banward sshd-fwd\ndelete chain inet banward sshd-fwd\ndelete set inet banward sshd-v4\ndelete set inet banward sshd-v6\n$/);
});

test('nftables-text: chain = forward puts the rules in a forward-hook chain, both in the two chains', () => {
  const names = nftNames('web');
  const forward = setupText(names, spec({ port: '80' }), ['forward']);
  assert.match(forward, /flush chain inet banward web-in\ndelete chain inet banward web-in\nflush chain inet banward web-fwd\n/);
  assert.match(forward, /add rule inet banward web-fwd tcp dport \{ 80 \} ip saddr @web-v4 counter drop/);
  assert.doesNotMatch(forward, /add rule inet banward web-in/);
  const both = ruleLines(names, spec({ port: '80' }), ['input', 'forward']);
  assert.deepEqual(both.map((l) => l.split(' ')[4]), ['web-in', 'web-in', 'web-fwd', 'web-fwd']);
  assert.doesNotMatch(setupText(names, spec({ port: '80' }), ['input', 'forward']), /delete chain/);
});

test('nftables-text: options are refused with a reason, before any I/O', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ port: '22; flush ruleset' }, /neither a number/],
    [{ port: '70000' }, /neither a number/],
    [{ port: '30:20' }, /not valid/],
    [{ protocol: 'tcp}' }, /protocol/],
    [{ protocol: 'icmp' }, /no ports/],
    [{ blocktype: 'accept' }, /blocktype/],
    [{ type: 'oneport' }, /type/],
    [{ ipv6prefix: '64x' }, /ipv6prefix/],
  ];
  for (const [options, reason] of bad) {
    const r = parseFirewallOptions(options);
    assert.ok(!r.ok && reason.test(r.reason), `${JSON.stringify(options)}: ${JSON.stringify(r)}`);
  }
  const unknown = parseFirewallOptions({ port: 'nosuchservice' });
  assert.ok(unknown.ok);
  const resolved = resolveSpec(unknown.value, 'ssh 22/tcp\n');
  assert.ok(!resolved.ok && /not a service/.test(resolved.reason));
  assert.ok(parseFirewallOptions({ protocol: 'icmp', type: 'allports' }).ok);
});

test('nftables-text: elements for v4, v6, CIDR and timeouts, in one transaction, removals first', () => {
  const names = nftNames('sshd');
  const now = 1000;
  const desired = desiredElements([
    { ip: '203.0.113.5', time: 900, bantime: 600 },
    { ip: '2001:db8::1', time: 1000, bantime: -1 },
    { ip: '198.51.100.0/24', time: 1000, bantime: 3600 },
  ], now, { ipv6prefix: null, maxTimeout: 8_640_000 });
  const held = new Map([['192.0.2.9', { family: 4 as const, expires: null }]]);
  assert.equal(elementsText(names, diffElements(desired, held, now), now), [
    'delete element inet banward sshd-v4 { 192.0.2.9 }',
    'add element inet banward sshd-v4 { 198.51.100.0/24 timeout 3600s, 203.0.113.5 timeout 500s }',
    'add element inet banward sshd-v6 { 2001:db8::1 }',
  ].join('\n') + '\n');
});

test('nftables-text: 20,000 bans are one transaction of 1,000-element lines', () => {
  const bans = Array.from({ length: 20_000 }, (_, i) => ({ ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, time: 0, bantime: -1 }));
  const text = elementsText(nftNames('sshd'), diffElements(desiredElements(bans, 1, { ipv6prefix: null, maxTimeout: 1 }), new Map(), 1), 1);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 20);
  assert.equal(lines.reduce((n, l) => n + l.split(',').length, 0), 20_000);
});

test('nftables-text: the JSON listing is read back as elements, and foreign ones are seen', () => {
  const json = JSON.stringify({ nftables: [
    { metainfo: {} },
    { table: { family: 'inet', name: 'banward' } },
    { set: { name: 'sshd-v4', elem: ['192.0.2.1', { prefix: { addr: '198.51.100.0', len: 24 } }, { elem: { val: '203.0.113.5', timeout: 600, expires: 590 } }, { range: ['192.0.2.10', '192.0.2.20'] }] } },
    { set: { name: 'sshd-v6', elem: [{ prefix: { addr: 'fd77::', len: 64 } }] } },
    { set: { name: 'web-v4' } },
    { chain: { name: 'sshd-in' } },
    { chain: { name: 'sshd-fwd' } },
    { rule: { chain: 'sshd-in' } },
    { rule: { chain: 'sshd-fwd' } },
    { rule: { chain: 'web-in' } },
  ] });
  const state = parseNftState(json, nftNames('sshd'), 100);
  assert.deepEqual({ ...state, elements: [...state.elements] }, {
    chains: ['input', 'forward'], rules: 2, set4: true, set6: true, others: 1,
    elements: [
      ['192.0.2.1', { family: 4, expires: null }],
      ['198.51.100.0/24', { family: 4, expires: null }],
      ['203.0.113.5', { family: 4, expires: 690 }],
      ['192.0.2.10-192.0.2.20', { family: 4, expires: null }],
      ['fd77::/64', { family: 6, expires: null }],
    ],
  });
});

test('nftables-text: the monitor\'s deletions, read for one jail: its structure, its elements, nobody else\'s', () => {
  const names = nftNames('sshd');
  const line = (kind: string, body: Record<string, unknown>) => JSON.stringify({ delete: { [kind]: { family: 'inet', table: 'banward', ...body } } });
  assert.deepEqual(parseNftDeletion(JSON.stringify({ delete: { table: { family: 'inet', name: 'banward', handle: 1 } } }), names), { kind: 'structure' });
  assert.deepEqual(parseNftDeletion(line('chain', { name: 'sshd-in' }), names), { kind: 'structure' });
  assert.deepEqual(parseNftDeletion(line('rule', { chain: 'sshd-fwd', handle: 4 }), names), { kind: 'structure' });
  assert.deepEqual(parseNftDeletion(line('set', { name: 'sshd-v6' }), names), { kind: 'structure' });
  assert.deepEqual(parseNftDeletion(line('element', { name: 'sshd-v4', elem: { set: ['192.0.2.1', { prefix: { addr: '198.51.100.0', len: 24 } }] } }), names),
    { kind: 'elements', keys: ['192.0.2.1', '198.51.100.0/24'] });
  assert.deepEqual(parseNftDeletion(line('element', { name: 'sshd-v6', elem: { set: [{ elem: { val: { prefix: { addr: '2001:DB8:1::', len: 64 } }, timeout: 3600 } }] } }), names),
    { kind: 'elements', keys: ['2001:db8:1::/64'] });
  for (const other of [
    line('chain', { name: 'nginx-in' }), line('element', { name: 'nginx-v4', elem: { set: ['192.0.2.1'] } }),
    JSON.stringify({ delete: { table: { family: 'ip', name: 'banward' } } }), JSON.stringify({ delete: { rule: { family: 'inet', table: 'filter', chain: 'sshd-in' } } }),
    JSON.stringify({ add: { element: { family: 'inet', table: 'banward', name: 'sshd-v4', elem: { set: ['192.0.2.1'] } } } }),
    'not json', '{"delete": null}', '{"delete": {"element": 5}}',
  ]) assert.equal(parseNftDeletion(other, names), null, other);
});
