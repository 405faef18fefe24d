/** issue 11 defect 10: nginx lines the stock filters miss or misread, through the bundled filters and stock fail2ban. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { banwardVerdicts, fail2banAddresses, withLog } from './_regex-verdicts.js';

const AUTH = '2005/08/14 10:00:05 [error] 2101#2101: *21 user "bob": password mismatch, client: 203.0.113.9, server: intranet.example.org, request: "GET / HTTP/1.';

test('issue 11 defect 10: nginx-http-auth counts a Referer with a space or \'"\' and an HTTP/1.0 request without a Host', () => {
  const lines = [
    `${AUTH}1", host: "intranet.example.org", referrer: "https://example.org/a b"`,
    `${AUTH}1", host: "intranet.example.org", referrer: "x"y"`,
    `${AUTH}0"`,
  ];
  withLog(lines, (log) => assert.deepEqual(banwardVerdicts(log, 'nginx-http-auth').map((v) => v.fid), Array(3).fill('203.0.113.9')));
});

test('issue 11 defect 10: a Referer forging a second client frames the stock nginx-http-auth filter, never ours', () => {
  const line = `${AUTH}1", host: "h", referrer: "x": password mismatch, client: 198.51.100.9, server: s, request: "GET / HTTP/1.1", host: "h"`;
  withLog([line], (log) => {
    assert.deepEqual(banwardVerdicts(log, 'nginx-http-auth').map((v) => v.fid), ['203.0.113.9']);
    assert.deepEqual(fail2banAddresses(log, '/etc/fail2ban/filter.d/nginx-http-auth.conf'), ['198.51.100.9'], 'stock fail2ban no longer takes the forged client: update the comment in nginx-http-auth.conf');
  });
});

test('issue 11 defect 10: nginx-login counts what the Express example answers 401', () => {
  const at = '[14/Aug/2005:10:00:07 +0200]';
  const lines = [
    `203.0.113.19 - john smith ${at} "POST /login HTTP/1.1" 401 23 "-" "curl/8.0"`,
    `203.0.113.19 - - ${at} "POST http://app.example.org/login HTTP/1.1" 401 23 "-" "curl/8.0"`,
    `203.0.113.19 - - ${at} "POST /LOGIN HTTP/1.1" 401 23 "-" "curl/8.0"`,
    `203.0.113.19 - - ${at} "POST /login#x HTTP/1.1" 401 23 "-" "curl/8.0"`,
  ];
  withLog(lines, (log) => assert.deepEqual(banwardVerdicts(log, 'nginx-login').map((v) => v.fid), Array(4).fill('203.0.113.19')));
});
