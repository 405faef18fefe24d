import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { escapeControl, fit, jsonLine } from './_terminal-text.js';
import { addEvent, countersOf, eventLine, renderScreen, screenFrame, type TopState } from './_top-screen.js';

const SIZE = { columns: 100, rows: 20 };
const OUR_STYLES = /\x1b\[[0-9;]*m/g;
const HOSTILE = 'login failed for \x1b[2J\x1b[H\x1b]0;pwned\x07root\u009b31m\u202eevil\r\n from 203.0.113.9';

function state(): TopState {
  return {
    jails: [
      countersOf({
        jail: 'sshd',
        filter: { currentlyFailed: 3, totalFailed: 40, evicted: 0, abandonedLines: 0, files: ['/var/log/auth.log'], reports: false },
        actions: { currentlyBanned: 1, totalBanned: 12, bannedIps: ['203.0.113.5'] },
      }),
      countersOf({
        jail: 'web-login',
        filter: { currentlyFailed: 0, totalFailed: 0, evicted: 0, abandonedLines: 0, reports: true },
        actions: { currentlyBanned: 0, totalBanned: 0, bannedIps: [], notEnforced: 'the action only logs' },
      }),
    ],
    feed: [],
  };
}

/** What the terminal shows of the lines: our own styles removed. */
const visible = (lines: readonly string[]) => lines.map((line) => line.replace(OUR_STYLES, ''));

test('top: escapeControl shows C0, DEL, C1, line separators and bidi overrides as escapes, and leaves other text alone', () => {
  assert.equal(escapeControl('a\x1b[31mb\x00\x7f\u009b\u2028\u202e\u2066 é 漢'), 'a\\x1b[31mb\\x00\\x7f\\x9b\\u2028\\u202e\\u2066 é 漢');
  assert.equal(escapeControl('plain text, 203.0.113.5'), 'plain text, 203.0.113.5');
});

test('top: jsonLine stays JSON and carries no raw steering character', () => {
  const line = jsonLine({ type: 'found', lines: [HOSTILE] });
  assert.doesNotMatch(line.slice(0, -1), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/u);
  assert.deepEqual(JSON.parse(line), { type: 'found', lines: [HOSTILE] });
});

test('top: fit cuts to the width by code point and marks the cut', () => {
  assert.equal(fit('abcdef', 4), 'abc…');
  assert.equal(fit('abc', 4), 'abc');
  assert.equal(fit('😀😀😀', 2), '😀…');
});

test('top: the screen shows each jail\'s counters, not-enforced jails in red, then the newest events first', () => {
  const s = state();
  addEvent(s, { type: 'ban', jail: 'sshd', ip: '203.0.113.5', time: 1000, bantime: 600, banCount: 2, failures: 5 });
  addEvent(s, { type: 'unban', jail: 'sshd', ip: '203.0.113.6', time: 1001, reason: 'expired' });
  addEvent(s, { type: 'action-error', jail: 'sshd', action: 'nftables', operation: 'ban', message: 'nft: not found', time: 1002 });
  const lines = renderScreen(s, SIZE, 1003);
  const shown = visible(lines);
  assert.match(shown[0]!, /^banward top {2}\d\d:\d\d:\d\d/);
  assert.deepEqual(shown.slice(1, 4), [
    'JAIL       FAILED  BANNED  TOTAL BANNED  ENFORCED',
    'sshd            3       1            12  yes',
    'web-login       0       0             0  NO: the action only logs',
  ]);
  assert.ok(lines[3]!.startsWith('\x1b[1;31m'), 'a jail that enforces nothing is red');
  assert.equal(shown[5], 'EVENTS (newest first)');
  assert.match(shown[6]!, /action-error {2}sshd {2}nftables failed to ban: nft: not found$/);
  assert.ok(lines[6]!.startsWith('\x1b[1;31m'), 'an action error is highlighted');
  assert.match(shown[7]!, /unban {9}sshd {2}203\.0\.113\.6 \(expired\)$/);
  assert.match(shown[8]!, /ban {11}sshd {2}203\.0\.113\.5 for 600 s \(5 failures, ban #2\)$/);
});

test('top: many found events of one jail in one second are one counted line', () => {
  const s = state();
  for (let i = 1; i <= 50; i++) addEvent(s, { type: 'found', jail: 'sshd', ip: `198.51.100.${i}`, time: 2000.5, lines: ['x'] });
  addEvent(s, { type: 'found', jail: 'web-login', ip: '198.51.100.99', time: 2000.7, lines: ['y'] });
  addEvent(s, { type: 'found', jail: 'sshd', ip: '198.51.100.1', time: 2001.1, lines: ['login failed from 198.51.100.1'] });
  assert.deepEqual(s.feed.map((e) => [e.jail, e.count, e.text]), [
    ['sshd', 1, '198.51.100.1  login failed from 198.51.100.1'],
    ['web-login', 1, '198.51.100.99  y'],
    ['sshd', 50, '50 failures, the last from 198.51.100.50'],
  ]);
});

test('top: the screen fits the terminal: lines cut to its width, events to its height', () => {
  const s = state();
  for (let i = 0; i < 100; i++) addEvent(s, { type: 'unban', jail: 'sshd', ip: `192.0.2.${i}`, time: 3000 + i, reason: 'lifted' });
  const lines = renderScreen(s, { columns: 45, rows: 12 }, 3100);
  assert.equal(lines.length, 12);
  for (const line of visible(lines)) assert.ok([...line].length <= 45, line);
  assert.ok(visible(lines)[3]!.endsWith('…'), 'a longer line is cut, visibly');
  assert.match(visible(lines)[6]!, /192\.0\.2\.99/, 'the newest event first');
});

test('top: an escape sequence in a log line or user name cannot steer the terminal (screen, plain lines)', () => {
  const s = state();
  const found = { type: 'found', jail: 'sshd', ip: '203.0.113.9', time: 4000, lines: [HOSTILE] };
  addEvent(s, found);
  addEvent(s, { type: 'action-error', jail: 'sshd\x1b[8m', action: 'cmd', operation: 'ban', message: HOSTILE, time: 4001 });
  const frame = screenFrame(renderScreen(s, { columns: 300, rows: 20 }, 4002));
  // Remove what the frame itself writes (home, erase line/screen, our styles): nothing steering is left.
  const rest = frame.replace(/^\x1b\[H/, '').replace(/\x1b\[J$/, '').replaceAll('\x1b[K\r\n', '\n').replaceAll('\x1b[K', '').replace(OUR_STYLES, '');
  assert.doesNotMatch(rest, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/u);
  assert.ok(rest.includes('login failed for \\x1b[2J\\x1b[H\\x1b]0;pwned\\x07root\\x9b31m\\u202eevil\\x0d\\x0a from 203.0.113.9'), rest);
  assert.ok(rest.includes('sshd\\x1b[8m'));
  const plain = eventLine(found)!;
  assert.equal(plain, `${new Date(4000_000).toISOString()} found sshd 203.0.113.9  ${escapeControl(HOSTILE)}\n`);
  assert.doesNotMatch(plain.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/u);
});

test('top: what is not an event is skipped; an unknown event type is shown as escaped JSON', () => {
  const s = state();
  for (const junk of [null, 'x', 42, [], { type: 7 }]) addEvent(s, junk);
  assert.equal(s.feed.length, 0);
  assert.equal(eventLine({ nope: true }), undefined);
  addEvent(s, { type: 'future\x1b', time: 5000, detail: 'a\x1bb' });
  assert.equal(s.feed[0]!.type, 'future\\x1b');
  assert.equal(s.feed[0]!.text, '{"type":"future\\u001b","time":5000,"detail":"a\\u001bb"}');
});
