import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fixedClock } from '../clock.js';
import { Filter, type FilterOptions } from './filter.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000;

function filter(options: Partial<FilterOptions> & Pick<FilterOptions, 'failregex'>): Filter {
  return new Filter({ now: fixedClock(NOW), checkFindTime: false, logtimezone: 'UTC', ...options });
}

const ids = (f: Filter, lines: string[]): Array<string | null> => lines.flatMap((l) => f.processLine(l).map((x) => x.id));

describe('Filter', () => {
  it('finds the failure id and the line\'s own time', () => {
    const [failure] = filter({ failregex: ['^\\s*login failed for <F-USER>\\S+</F-USER> from <HOST>$'] })
      .processLine('2026-11-22 10:00:01 login failed for bob from 203.0.113.5');
    assert.equal(failure!.id, '203.0.113.5');
    assert.equal(failure!.time, Date.UTC(2026, 10, 22, 10, 0, 1) / 1000);
    assert.equal(failure!.data['user'], 'bob');
    assert.equal((failure!.data['matches'] as unknown[]).length, 1);
  });

  it('normalises addresses as fail2ban does: IPv4-mapped IPv6 becomes IPv4, IPv6 is compressed', () => {
    const f = filter({ failregex: ['^\\s*bad <HOST>$'] });
    assert.deepEqual(ids(f, ['2026-11-22 10:00:01 bad ::ffff:203.0.113.5', '2026-11-22 10:00:02 bad 2001:DB8:0:0:0:0:0:1']), ['203.0.113.5', '2001:db8::1']);
  });

  it('the date is cut out of the line before matching, as fail2ban does', () => {
    assert.deepEqual(ids(filter({ failregex: ['^ bad <HOST>$'] }), ['2026-11-22 10:00:01 bad 203.0.113.5']), ['203.0.113.5']);
  });

  it('an anchored regex is not framed by an address inside attacker-chosen text', () => {
    const f = filter({ failregex: ['^\\s*Failed password for (?:invalid user )?\\S+ from <HOST> port \\d+ ssh2$'] });
    const injected = '2026-11-22 10:00:01 Failed password for invalid user x from 198.51.100.9 port 22 ssh2 from 203.0.113.5 port 4242 ssh2';
    const honest = '2026-11-22 10:00:02 Failed password for invalid user x from 203.0.113.5 port 4242 ssh2';
    assert.deepEqual(ids(f, [injected, honest]), ['203.0.113.5']);
  });

  it('ignoreregex drops a match', () => {
    const f = filter({ failregex: ['^\\s*bad <HOST>'], ignoreregex: ['trusted$'] });
    assert.deepEqual(ids(f, ['2026-11-22 10:00:01 bad 203.0.113.5 trusted', '2026-11-22 10:00:02 bad 203.0.113.6']), ['203.0.113.6']);
  });

  it('prefregex with <F-CONTENT> narrows what the failregexes see', () => {
    const f = filter({ prefregex: '^\\s*app\\[\\d+\\]: <F-CONTENT>.+</F-CONTENT>$', failregex: ['^denied <HOST>$'] });
    assert.deepEqual(ids(f, ['2026-11-22 10:00:01 app[1]: denied 203.0.113.5', '2026-11-22 10:00:02 other[1]: denied 203.0.113.6']), ['203.0.113.5']);
  });

  it('a failregex group that did not take part keeps the prefregex\'s value (fail2ban 1.1; 1.1.1\'s dovecot needs it)', () => {
    const f = filter({
      prefregex: '^\\s*auth(?:\\(\\S*,<ADDR>\\))?: <F-CONTENT>.+</F-CONTENT>$',
      failregex: ['^(?:sql\\(\\S*,<ADDR>\\): )?Password mismatch'],
    });
    const [failure] = f.processLine('2026-11-22 10:00:01 auth(bob,203.0.113.5): Password mismatch');
    assert.equal(failure?.id, '203.0.113.5');
    const [own] = f.processLine('2026-11-22 10:00:02 auth: sql(bob,203.0.113.6): Password mismatch');
    assert.equal(own?.id, '203.0.113.6');
  });

  it('<F-MLFID> joins a connection\'s lines: the failure is reported when its address arrives', () => {
    const f = filter({
      prefregex: '^\\s*<F-MLFID>conn=\\d+</F-MLFID> <F-CONTENT>.+</F-CONTENT>$',
      failregex: ['^auth failed for <F-USER>\\S+</F-USER>$', '^closed from <HOST>$'],
    });
    assert.deepEqual(f.processLine('2026-11-22 10:00:01 conn=7 auth failed for bob'), []);
    const [failure] = f.processLine('2026-11-22 10:00:02 conn=7 closed from 203.0.113.5');
    assert.equal(failure!.id, '203.0.113.5');
    assert.equal(failure!.data['user'], 'bob');
    assert.equal((failure!.data['matches'] as unknown[]).length, 2);
  });

  it('maxlines buffers lines for a multi-line regex', () => {
    const f = filter({ maxlines: 2, failregex: ['^\\s*user <F-USER>\\S+</F-USER>\\n.*rejected from <HOST>$'] });
    assert.deepEqual(f.processLine('2026-11-22 10:00:01 user bob'), []);
    const [failure] = f.processLine('2026-11-22 10:00:02 rejected from 203.0.113.5');
    assert.equal(failure!.id, '203.0.113.5');
    assert.equal(failure!.data['user'], 'bob');
  });

  it('years are completed from the injected clock, not the wall clock (replays are exact)', () => {
    const replay = (now: number) => new Filter({ now: fixedClock(now), checkFindTime: false, logtimezone: 'UTC', failregex: ['bad <HOST>$'] })
      .processLine('Mar  3 10:00:00 host bad 203.0.113.5')[0]!.time;
    assert.equal(replay(Date.UTC(2026, 5, 1) / 1000), Date.UTC(2026, 2, 3, 10) / 1000);
    assert.equal(replay(Date.UTC(2026, 0, 1) / 1000), Date.UTC(2025, 2, 3, 10) / 1000);
  });

  it('refuses a failregex without a failure-id group, and a bad maxlines', () => {
    assert.throws(() => filter({ failregex: ['^no id here$'] }), { code: 'BANWARD_ERR_REGEX' });
    assert.throws(() => filter({ failregex: ['<HOST>'], maxlines: 0 }), { code: 'BANWARD_ERR_CONFIG_VALUE' });
  });

  it('a compile error names the file and line the regex came from', () => {
    assert.throws(() => filter({ failregex: [{ value: '^(bad <HOST>', file: 'filter.d/x.conf', line: 7 }] }),
      (e: unknown) => (e as { file: string; line: number }).file === 'filter.d/x.conf' && (e as { line: number }).line === 7);
  });

  it('issue 11 defect 6: a live line hours off the clock counts as now with its shift; a backlog line older than findtime is dropped', () => {
    const f = new Filter({ now: fixedClock(NOW), logtimezone: 'UTC', findTime: 600, failregex: ['^\\s*bad <HOST>$'] });
    assert.deepEqual(f.processLine('2026-11-22 06:00:00 bad 203.0.113.5', true), []);
    const [live] = f.processLine('2026-11-22 06:00:00 bad 203.0.113.5');
    assert.deepEqual([live!.time, live!.timeShift], [NOW, -6 * 3600]);
    const [recent] = f.processLine('2026-11-22 11:59:30 bad 203.0.113.5', true);
    assert.deepEqual([recent!.time, recent!.timeShift], [NOW - 30, undefined], 'a backlog line within findtime keeps its time');
    const [near] = f.processLine('2026-11-22 11:59:30 bad 203.0.113.5');
    assert.deepEqual([near!.time, near!.timeShift], [NOW - 30, undefined], 'within 60 s a live line keeps its time');
  });
});
