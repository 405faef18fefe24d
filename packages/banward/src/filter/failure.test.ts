import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fixedClock } from '../clock.js';
import type { SourceLine } from '../source/log-source.js';
import { Filter, type FilterOptions } from './filter.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 2) / 1000;
const FIELDS = ['captures', 'id', 'idKind', 'lines', 'nofail', 'time', 'timeShift'];

function filter(options: Partial<FilterOptions> & Pick<FilterOptions, 'failregex'>): Filter {
  return new Filter({ now: fixedClock(NOW), logtimezone: 'UTC', findTime: 600, ...options });
}

const line = (text: string, extra: Partial<SourceLine> = {}): SourceLine => ({ text, origin: 'test', ...extra });

describe('Failure (the filter → jail seam)', () => {
  it('a multi-line <F-MLFID> failure reaches the jail as plain data: its lines, its user data, none of fail2ban\'s bookkeeping', () => {
    const f = filter({
      prefregex: '^\\s*<F-MLFID>conn=\\d+</F-MLFID> <F-CONTENT>.+</F-CONTENT>$',
      failregex: ['^auth failed for <F-USER>\\S+</F-USER>$', '^closed from <HOST> port <F-PORT>\\d+</F-PORT>$'],
    });
    assert.deepEqual(f.failures(line('2026-11-22 10:00:01 conn=7 auth failed for bob')), [], 'pending: no id yet');
    const [failure, ...rest] = f.failures(line('2026-11-22 10:00:02 conn=7 closed from 203.0.113.5 port 22'));
    assert.deepEqual(rest, []);
    assert.deepEqual(failure, {
      id: '203.0.113.5',
      idKind: 'ip',
      time: NOW,
      lines: ['2026-11-22 10:00:01 conn=7 auth failed for bob', '2026-11-22 10:00:02 conn=7 closed from 203.0.113.5 port 22'],
      captures: { user: 'bob', ip4: '203.0.113.5', fport: '22' },
      nofail: false,
    });
    assert.deepEqual(structuredClone(failure), failure, 'it crosses a worker boundary unchanged');
  });

  it('idKind says what the id is: an address, a host name for the jail to resolve, an F-ID', () => {
    const f = filter({ failregex: ['^\\s*bad <HOST>$', '^\\s*token <F-ID>\\S+</F-ID> refused$'] });
    const kinds = ['bad ::ffff:203.0.113.5', 'bad mail.example.org', 'token abc123 refused'].map((text) => {
      const [failure] = f.failures(line(`2026-11-22 10:00:01 ${text}`));
      return [failure?.id, failure?.idKind];
    });
    assert.deepEqual(kinds, [['203.0.113.5', 'ip'], ['mail.example.org', 'host'], ['abc123', 'other']]);
  });

  it('an F-ID that looks like a dotted quad is an address only when it is one (no leading zeros, parts up to 255)', () => {
    const f = filter({ failregex: ['^\\s*token <F-ID>\\S+</F-ID> refused$'] });
    const kinds = ['203.0.113.5', '0.0.0.0', '203.0.113.05', '203.0.113.256', '203.0.113', '1.2.3.4.5'].map((id) => {
      const [failure] = f.failures(line(`2026-11-22 10:00:01 token ${id} refused`));
      return [failure?.id, failure?.idKind];
    });
    assert.deepEqual(kinds, [
      ['203.0.113.5', 'ip'], ['0.0.0.0', 'ip'], ['203.0.113.05', 'other'], ['203.0.113.256', 'other'], ['203.0.113', 'other'], ['1.2.3.4.5', 'other'],
    ]);
  });

  it('<F-NOFAIL> is a flag of the failure, not a key among its captures', () => {
    const [failure] = filter({ failregex: ['^\\s*accepted <F-NOFAIL>key</F-NOFAIL> for <F-USER>\\S+</F-USER> from <HOST>$'] })
      .failures(line('2026-11-22 10:00:01 accepted key for bob from 203.0.113.5'));
    assert.equal(failure?.nofail, true);
    assert.deepEqual(Object.keys(failure).sort(), FIELDS.filter((k) => k !== 'timeShift'));
    assert.deepEqual(failure.captures, { user: 'bob', ip4: '203.0.113.5' });
  });

  it('the filter owns the time: a line in the future counts as now, backlog or live; an old backlog line is dropped; a live one hours off counts as now with its shift', () => {
    const f = filter({ failregex: ['^\\s*bad <HOST>$'] });
    const times = [
      line('bad 203.0.113.5', { time: NOW + 30 }),
      line('bad 203.0.113.5', { time: NOW + 30, backlog: true }),
      line('2026-11-22 10:00:01 bad 203.0.113.5', { backlog: true }),
      line('2026-11-22 09:00:00 bad 203.0.113.5', { backlog: true }),
      line('2026-11-22 04:00:00 bad 203.0.113.5'),
    ].map((l) => f.failures(l).map((x) => [x.time - NOW, x.timeShift]));
    assert.deepEqual(times, [[[0, undefined]], [[0, undefined]], [[-1, undefined]], [], [[0, -6 * 3600 - 2]]]);
  });
});
