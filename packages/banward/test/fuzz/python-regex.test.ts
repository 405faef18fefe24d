/**
 * The Python→JavaScript regex translator, differential against CPython's `re` (Debian's python3): for
 * patterns drawn from a grammar of what fail2ban filters use, and subjects over a small alphabet with
 * non-ASCII letters, digits, spaces and newlines, both must agree on refusal, match, span and named groups.
 */
import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { BanwardError } from '../../src/errors.js';
import { PythonRegex } from '../../src/filter/regex/python-regex.js';
import { fuzzBudget } from './_budget.js';
import { PythonOracle } from './_python-oracle.js';
import { fullPattern, knownDivergence, runsAsVariants, subject } from './_regex-grammar.js';

const ORACLE = String.raw`
import re, warnings
warnings.simplefilter('ignore')
def handle(req):
    try:
        r = re.compile(req['p'], re.M if req['m'] else 0)
    except (re.error, RecursionError, OverflowError, ValueError) as e:
        return {'error': str(e)}
    out = []
    for s in req['s']:
        m = r.search(s)
        out.append(None if m is None else [m.start(), m.end(), {k: v for k, v in m.groupdict().items() if v is not None}])
    return {'r': out}
`;

const oracle = new PythonOracle(ORACLE, 're');
after(() => oracle.close());

interface Answer { error?: string; crash?: string; r?: Array<[number, number, Record<string, string | undefined>] | null> }

function ours(p: string, multiline: boolean, subjects: string[]): Answer {
  let re: PythonRegex;
  try {
    re = new PythonRegex(p, { multiline });
  } catch (e) {
    assert.ok(e instanceof BanwardError && e.code === 'BANWARD_ERR_REGEX', `not a BANWARD_ERR_REGEX: ${String(e)}`);
    return { error: e.message };
  }
  return { r: subjects.map((s) => { const m = re.search(s); return m && [m.start, m.end, m.groups]; }) };
}

test('fuzz: PythonRegex refuses, matches and captures as CPython re.search does', async () => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(fullPattern, fc.boolean(), fc.array(subject, { minLength: 1, maxLength: 6 }), async (p, m, subjects) => {
      fc.pre(knownDivergence(p, subjects) === null);
      const py = await oracle.ask<Answer>({ p, m, s: subjects });
      assert.equal(py.crash, undefined, `python crashed: ${py.crash}`);
      const js = ours(p, m, subjects);
      compared++;
      if (py.error !== undefined || js.error !== undefined) {
        assert.equal(js.error !== undefined, py.error !== undefined, `python: ${py.error ?? 'compiles'}; banward: ${js.error ?? 'compiles'}`);
        return;
      }
      const view = runsAsVariants(p) ? (r: Answer['r']) => r!.map((x) => x && x[0]) : (r: Answer['r']) => r;
      assert.deepEqual(view(js.r), view(py.r));
    }),
    fuzzBudget({ includeErrorInReport: true }),
  );
  assert.ok(compared > 0, 'no case was compared');
});
