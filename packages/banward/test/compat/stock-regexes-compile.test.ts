import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readFilter } from '../../src/config/index.js';
import { TaggedRegex } from '../../src/filter/failregex.js';
import { fail2ban11, FAIL2BAN_CONFIG, stockFilters } from './_compat-report.js';

for (const [release, config] of [['1.0.2 (installed)', () => FAIL2BAN_CONFIG], ['1.1.1', () => fail2ban11().config]] as const) {
test(`every stock filter regex of fail2ban ${release} compiles in both its ASCII and its Unicode form`, () => {
  let count = 0;
  const dir = config();
  for (const name of stockFilters(dir)) {
    for (const options of [{}, { mode: 'aggressive' }, { logtype: 'journal' }] as Array<Record<string, string>>) {
      const filter = readFilter(dir, name, options);
      for (const { value } of [...filter.failregex, ...filter.ignoreregex, ...(filter.prefregex?.value ? [filter.prefregex] : [])]) {
        const regex = new TaggedRegex(value, { multiline: (filter.maxlines ?? 1) > 1 });
        assert.doesNotThrow(() => regex.regex.search('é non-ASCII text forces the Unicode form\n', false), `${name}: ${value}`);
        count++;
      }
    }
  }
  assert.ok(count > 500, `only ${count} regexes compiled`);
});
}
