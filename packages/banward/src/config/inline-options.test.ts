import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBanwardError } from '../errors.js';
import { parseInlineOptions, splitInlineEntries } from './inline-options.js';
import { splitShellWords } from './shell-words.js';

test('name[k=v, …] with quoted values and several option groups', () => {
  assert.deepEqual(parseInlineOptions('sshd'), { name: 'sshd', options: {} });
  assert.deepEqual(parseInlineOptions('sshd[mode=aggressive]'), { name: 'sshd', options: { mode: 'aggressive' } });
  assert.deepEqual(parseInlineOptions(`iptables[name=SSH, port="ssh, 2222", x='a]b'][protocol=tcp]`), {
    name: 'iptables',
    options: { name: 'SSH', port: 'ssh, 2222', x: 'a]b', protocol: 'tcp' },
  });
  assert.deepEqual(parseInlineOptions('f[a= spaced , b=]').options, { a: 'spaced', b: '' });
});

test('broken inline options are a syntax error', () => {
  for (const bad of ['x[a="1"b]', 'x[=1]', 'x[a=1, !]']) {
    assert.throws(() => parseInlineOptions(bad), (e) => isBanwardError(e) && e.code === 'BANWARD_ERR_CONFIG_SYNTAX', bad);
  }
});

test('splitting a multi-line action list keeps bracketed options whole', () => {
  const value = 'iptables[name=SSH, port="22, 2222"]\nmail-whois[dest=a@b,\n  sender=c@d]\nsimple';
  assert.deepEqual(splitInlineEntries(value), [
    'iptables[name=SSH, port="22, 2222"]',
    'mail-whois[dest=a@b,\n  sender=c@d]',
    'simple',
  ]);
});

test('journalmatch lines split like a POSIX shell', () => {
  assert.deepEqual(splitShellWords('_SYSTEMD_UNIT=sshd.service + _COMM=sshd'), ['_SYSTEMD_UNIT=sshd.service', '+', '_COMM=sshd']);
  assert.deepEqual(splitShellWords(`A="x y" B='a\\b' C=d\\ e ""`), ['A=x y', 'B=a\\b', 'C=d e', '']);
  assert.deepEqual(splitShellWords('A="unclosed'), { error: 'no closing quotation' });
});
