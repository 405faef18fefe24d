import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { desiredElements, diffElements } from './_elements.js';
import { parseFirewallOptions, resolveSpec, type ResolvedSpec } from './_options.js';
import { createText, iptablesRules, ipsetNames, parseIpsetSave, restoreText } from './ipset-text.js';

function spec(options: Record<string, string>): ResolvedSpec {
  const parsed = parseFirewallOptions(options);
  assert.ok(parsed.ok);
  const resolved = resolveSpec(parsed.value, 'ssh 22/tcp\n');
  assert.ok(resolved.ok);
  return resolved.value;
}

test('ipset-text: set names fit 31 characters and never collide', () => {
  assert.deepEqual(ipsetNames('sshd'), { set4: 'bw-sshd-4', set6: 'bw-sshd-6' });
  const long = ipsetNames('a-very-long-jail-name-for-nginx-botsearch');
  assert.ok(long.set4.length <= 31, long.set4);
  assert.notEqual(ipsetNames('my jail').set4, ipsetNames('my_jail').set4);
  assert.doesNotMatch(ipsetNames('x;rm -rf /').set4, /[\s;/]/);
});

test('ipset-text: iptables rules per protocol and family', () => {
  const rules = iptablesRules(ipsetNames('sshd'), spec({ port: 'ssh,8000:8010', protocol: 'tcp', blocktype: 'reject' }));
  assert.deepEqual(rules, [
    { family: 4, args: ['-p', 'tcp', '-m', 'multiport', '--dports', '22,8000:8010', '-m', 'set', '--match-set', 'bw-sshd-4', 'src', '-j', 'REJECT'] },
    { family: 6, args: ['-p', 'tcp', '-m', 'multiport', '--dports', '22,8000:8010', '-m', 'set', '--match-set', 'bw-sshd-6', 'src', '-j', 'REJECT'] },
  ]);
  assert.deepEqual(iptablesRules(ipsetNames('x'), spec({ protocol: 'all' }))[0]!.args, ['-m', 'set', '--match-set', 'bw-x-4', 'src', '-j', 'DROP']);
  assert.throws(() => iptablesRules(ipsetNames('x'), spec({ port: Array.from({ length: 16 }, (_, i) => 100 + i).join(',') })), /at most 15/);
});

test('ipset-text: one restore batch, timeouts and permanent bans, read back from ipset save', () => {
  const names = ipsetNames('sshd');
  assert.match(createText(names), /^create bw-sshd-4 hash:net family inet timeout 0 maxelem \d+\ncreate bw-sshd-6 hash:net family inet6 timeout 0/);
  const desired = desiredElements([{ ip: '10.77.0.2', time: 0, bantime: 60 }, { ip: 'fd77::/64', time: 0, bantime: -1 }], 10, { ipv6prefix: null, maxTimeout: 2_147_483 });
  const held = parseIpsetSave('create bw-sshd-4 hash:net family inet\nadd bw-sshd-4 10.77.0.9 timeout 30\nadd bw-sshd-4 fd77::1\n', 4, 10);
  assert.deepEqual([...held], [['10.77.0.9', { family: 4, expires: 40 }]]);
  assert.equal(restoreText(names, diffElements(desired, held, 10), 10), 'del bw-sshd-4 10.77.0.9\nadd bw-sshd-4 10.77.0.2 timeout 50\nadd bw-sshd-6 fd77::/64 timeout 0\n');
});
