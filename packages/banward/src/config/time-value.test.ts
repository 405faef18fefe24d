import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isBanwardError } from '../errors.js';
import { parseTimeValue, timeExpression } from './time-value.js';

// Expected values are fail2ban 1.0.2's MyTime.str2seconds for the same text.
test('time values: fail2ban str2seconds table', () => {
  const cases: Array<[string, number]> = [
    ['600', 600],
    ['10m', 600],
    ['10 m', 600],
    ['1h 30m', 5400],
    ['1h30m', 5400],
    ['0d 1h 30m', 5400],
    ['1hour+30min', 5400],
    ['1.5h', 5400],
    ['2d', 172800],
    ['1d12h', 129600],
    ['1w', 604800],
    ['2 weeks', 1209600],
    ['1mo', 2629800],
    ['6 months', 15778800],
    ['1y', 31557600],
    ['1year-6mo', 15778800],
    ['1y 3w 4d', 33717600],
    ['-1', -1],
    ['5 minutes', 300],
    ['1 hour', 3600],
    ['90s', 90],
    ['48h', 172800],
  ];
  for (const [text, seconds] of cases) assert.equal(parseTimeValue(text), seconds, text);
  assert.equal(parseTimeValue(42), 42);
  assert.equal(timeExpression('1h 30m'), '1*3600+30*60');
});

test('time values: bad input is an error naming the value (fail2ban rejects these too)', () => {
  for (const text of ['', 'abc', '3 secs', '10 parsecs', '1h-', '1 2 3', "__import__('os')", '1e999']) {
    assert.throws(
      () => parseTimeValue(text, { option: 'bantime', file: '/etc/banward/jail.local', line: 7 }),
      (e: unknown) => isBanwardError(e) && e.code === 'BANWARD_ERR_CONFIG_VALUE' && e.message.includes(JSON.stringify(text))
        && e.describe().startsWith('/etc/banward/jail.local:7: bantime'),
      text,
    );
  }
});
