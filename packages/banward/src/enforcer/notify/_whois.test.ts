import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sanitiseWhois, whoisText } from './_whois.js';

test('whois: an answer loses terminal escapes, CRs and control characters, long lines and excess lines', () => {
  assert.equal(sanitiseWhois('OrgName: \u001b[1;31mEvil\u001b[0m\r\nabuse\u0000@x\u0007.org\u009b\r\n\n\n'), 'OrgName: Evil\nabuse@x.org');
  assert.equal(sanitiseWhois('a\tb'), 'a\tb', 'tabs stay');
  assert.equal(sanitiseWhois('x'.repeat(5000)).length, 200);
  const many = sanitiseWhois(Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n')).split('\n');
  assert.equal(many.length, 301);
  assert.equal(many.at(-1), '[700 more lines left out]');
});

test('whois: only a parsed address reaches the program, in canonical form; a failure is said, not thrown', async () => {
  assert.equal(await whoisText('/bin/echo', '-h evil.example'), '(whois: not an address)');
  assert.equal(await whoisText('/bin/echo', '2001:0DB8::0001'), '2001:db8::1');
  assert.match(await whoisText('/nonexistent/whois', '203.0.113.5'), /^\(whois failed: /);
});
