import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import type { Ban, Jail } from './api.js';
import { countEvent, listEvent } from './live-counters.js';

const jail = (name: string): Jail => ({
  name, enforced: true, notEnforced: null, currentlyFailed: 1, totalFailed: 10, currentlyBanned: 1, totalBanned: 5,
  lastHour: { failures: 2, bans: 1 }, lastDay: { failures: 9, bans: 4 }, settings: { findtime: 600, bantime: 600, maxretry: 3 }, inputs: { reports: false },
});
const ban = (ip: string): Ban => ({ jail: 'sshd', ip, time: 100, bantime: 600, expires: 700, banCount: 1 });

it('countEvent: found and ban add to their jail only (found leaves the count of failing addresses alone); unban lowers banned-now, never below 0; other events change nothing', () => {
  const jails = [jail('sshd'), jail('web')];
  const found = countEvent(jails, { type: 'found', jail: 'sshd', ip: '192.0.2.1', time: 1, lines: [] });
  assert.deepEqual([found[0]!.currentlyFailed, found[0]!.totalFailed, found[0]!.lastHour.failures, found[0]!.lastDay.failures], [1, 11, 3, 10]);
  assert.equal(found[1], jails[1]);
  const banned = countEvent(jails, { type: 'ban', jail: 'sshd', ip: '192.0.2.1', time: 1, bantime: 600, banCount: 1, failures: 3 });
  assert.deepEqual([banned[0]!.currentlyBanned, banned[0]!.totalBanned, banned[0]!.lastHour.bans, banned[0]!.lastDay.bans], [2, 6, 2, 5]);
  const unban = { type: 'unban', jail: 'sshd', ip: '192.0.2.1', time: 1, reason: 'lifted' } as const;
  assert.equal(countEvent(countEvent(jails, unban), unban)[0]!.currentlyBanned, 0);
  assert.equal(countEvent(jails, { type: 'reload', jails: [], time: 1 }), jails);
});

it('listEvent: a ban goes first (replacing the same jail and address), a permanent ban never expires, an unban removes it, the limit holds', () => {
  const list = [ban('192.0.2.1'), ban('192.0.2.2')];
  const again = listEvent(list, { type: 'ban', jail: 'sshd', ip: '192.0.2.2', time: 200, bantime: -1, banCount: 2, failures: 3 }, 10);
  assert.deepEqual(again.map((b) => [b.ip, b.expires, b.banCount]), [['192.0.2.2', null, 2], ['192.0.2.1', 700, 1]]);
  assert.deepEqual(listEvent(list, { type: 'unban', jail: 'sshd', ip: '192.0.2.1', time: 1, reason: 'expired' }, 10).map((b) => b.ip), ['192.0.2.2']);
  assert.equal(listEvent(list, { type: 'ban', jail: 'sshd', ip: '192.0.2.3', time: 1, bantime: 60, banCount: 1, failures: 3 }, 2).length, 2);
});

it('issue 15: a fleet ban keeps its origin node in the list; this host\'s own has none', () => {
  const fleet = listEvent([], { type: 'ban', jail: 'sshd', ip: '192.0.2.9', time: 1, bantime: 60, banCount: 1, failures: 0, origin: 'web-2' }, 10);
  assert.equal(fleet[0]!.origin, 'web-2');
  const own = listEvent([], { type: 'ban', jail: 'sshd', ip: '192.0.2.8', time: 1, bantime: 60, banCount: 1, failures: 3 }, 10);
  assert.equal('origin' in own[0]!, false);
});
