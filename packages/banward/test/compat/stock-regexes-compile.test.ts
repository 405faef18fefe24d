import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readFilter } from '../../src/config/index.js';
import { TaggedRegex } from '../../src/filter/failregex.js';
import { FAIL2BAN_CONFIG, stockFilters } from './_compat-report.js';

test('every stock filter regex compiles in both its ASCII and its Unicode form', () => {
  let count = 0;
  for (const name of stockFilters()) {
    for (const options of [{}, { mode: 'aggressive' }, { logtype: 'journal' }] as Array<Record<string, string>>) {
      const filter = readFilter(FAIL2BAN_CONFIG, name, options);
      for (const { value } of [...filter.failregex, ...filter.ignoreregex, ...(filter.prefregex?.value ? [filter.prefregex] : [])]) {
        const regex = new TaggedRegex(value, { multiline: (filter.maxlines ?? 1) > 1 });
        assert.doesNotThrow(() => regex.regex.search('é non-ASCII text forces the Unicode form\n', false), `${name}: ${value}`);
        count++;
      }
    }
  }
  assert.ok(count > 500, `only ${count} regexes compiled`);
});
