/**
 * Every stock filter in /etc/fail2ban/filter.d must read exactly as fail2ban's own FilterReader
 * reads it — with the default options and with the modes and log types the filter offers. The
 * expected values come from the installed fail2ban, run at test time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFilter } from './filter-reader.js';
import { findFail2banPython } from '../../test/_fail2ban-python.js';

const CONFIG_DIR = '/etc/fail2ban';

interface Expected {
  failregex: string[];
  ignoreregex: string[];
  prefregex?: string;
  maxlines?: number;
  datepattern?: string;
  journalmatch: string[][];
  usedns?: string;
}

/** Reads filters with fail2ban's FilterReader; prints {"name|opts": stream-derived values}. */
const PYTHON = String.raw`
import json, sys
from fail2ban.client.filterreader import FilterReader
basedir, cases = sys.argv[1], json.loads(sys.stdin.read())
out = {}
for name, opts in cases:
    r = FilterReader(name, 'jail', dict(opts), basedir=basedir)
    if not r.read():
        raise SystemExit('fail2ban could not read filter %s' % name)
    r.getOptions({})
    v = {'failregex': [], 'ignoreregex': [], 'journalmatch': []}
    for cmd in r.convert():
        op, key, val = cmd[0], cmd[2], cmd[3:]
        if key in ('addfailregex', 'addignoreregex'):
            v[key[3:]] += val[0] if op == 'multi-set' else [val[0]]
        elif key == 'addjournalmatch':
            v['journalmatch'].append(val)
        else:
            v[key] = val[0]
    out[name + '|' + json.dumps(opts, sort_keys=True, separators=(',', ':'))] = v
print(json.dumps(out))
`;


function optionSets(file: string): Record<string, string>[] {
  const text = readFileSync(`${CONFIG_DIR}/filter.d/${file}`, 'utf8');
  const sets: Record<string, string>[] = [{}, { logtype: 'journal' }];
  if (/\bmode\b/.test(text)) sets.push({ mode: 'aggressive' }, { mode: 'ddos' }, { mode: 'extra' });
  return sets;
}

test('every stock filter reads as fail2ban reads it', (t) => {
  const python = findFail2banPython('fail2ban.client.filterreader');
  const filters = readdirSync(`${CONFIG_DIR}/filter.d`)
    .filter((f) => f.endsWith('.conf') && !f.endsWith('common.conf'))
    .sort();
  assert.ok(filters.length > 50, `expected the stock filters in ${CONFIG_DIR}/filter.d`);
  const cases = filters.flatMap((f) => optionSets(f).map((o) => [f.slice(0, -5), o] as const));
  const stdout = execFileSync(python, ['-c', PYTHON, CONFIG_DIR], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const expected = JSON.parse(stdout) as Record<string, Expected>;
  const mismatches: string[] = [];
  for (const [name, opts] of cases) {
    const key = `${name}|${JSON.stringify(opts, Object.keys(opts).sort())}`;
    const ours = readFilter(CONFIG_DIR, name, opts);
    const actual: Expected = {
      failregex: ours.failregex.map((r) => r.value),
      ignoreregex: ours.ignoreregex.map((r) => r.value),
      journalmatch: ours.journalmatch,
    };
    if (ours.prefregex) actual.prefregex = ours.prefregex.value;
    if (ours.maxlines !== undefined) actual.maxlines = ours.maxlines;
    if (ours.datepattern) actual.datepattern = ours.datepattern.value;
    if (ours.usedns) actual.usedns = ours.usedns;
    try {
      assert.deepEqual(actual, expected[key]);
    } catch (e) {
      mismatches.push(`${key}: ${(e as Error).message}`);
    }
  }
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${cases.length} differ:\n${mismatches.join('\n')}`);
  t.diagnostic(`${cases.length} filter/option sets agree with fail2ban`);
});
