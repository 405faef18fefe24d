/**
 * The configuration reader (src/config: INI files, continuation lines, comments, `%(ref)s` interpolation,
 * [INCLUDES], `.local` companions, conditional sections) on random text. Properties: it never throws
 * anything but a BanwardError with a code and file:line, it never hangs (includes and references are
 * bounded), and what it reads agrees with fail2ban's own SafeConfigParserWithIncludes (Debian's fail2ban
 * through python3) — same sections, options and interpolated values, and an error wherever fail2ban has one.
 * Where banward differs on purpose: files that include each other in a loop are refused
 * (BANWARD_ERR_CONFIG_INCLUDE_LOOP, with file:line) where fail2ban skips the repeated include silently.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { getOption, loadConfigFiles, memoryConfigFs, ownOptionNames, parseIni, sectionNames, type ConfigStack } from '../../src/config/index.js';
import { BanwardError } from '../../src/errors.js';
import { fuzzBudget } from './_budget.js';
import { PythonOracle } from './_python-oracle.js';

const ORACLE = String.raw`
import os
from fail2ban.client.configparserinc import SafeConfigParserWithIncludes
def handle(req):
    p = SafeConfigParserWithIncludes()
    try:
        p.read([os.path.join(req['dir'], 'main.conf')])
    except Exception as e:
        return {'error': type(e).__name__}
    out = {}
    for s in p.sections():
        if s.startswith('KNOWN/'):
            continue
        opts = {}
        for o in p.options(s):
            try:
                opts[o] = p.get(s, o)
            except Exception as e:
                opts[o] = {'error': type(e).__name__}
        out[s] = opts
    return {'sections': out}
`;

const oracle = new PythonOracle(ORACLE, 'fail2ban.client.configparserinc');
after(() => oracle.close());

const FILES = ['main.conf', 'main.local', 'inc.conf', 'other.conf'];
const NAMES = ['a', 'b', 'X', 'before', 'after'];
const SECTIONS = ['Definition', 'Init', 'DEFAULT', 'INCLUDES', 'Init?family=inet6', 's1'];
const valueToken = fc.constantFrom(
  'v', 'w x', '%(a)s', '%(b)s', '%(X)s', '%(s1/a)s', '%(known/a)s', '%(default/b)s', '%(__name__)s', '%%', '%', '%(a)',
  '%(nope)s', 'é', '"q"', ' ; c', ' #x', ';x', 'inc.conf', 'other.conf', 'main.conf', '',
);
const value = fc.array(valueToken, { maxLength: 3 }).map((t) => t.join(''));
const lineArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...SECTIONS).map((s) => `[${s}]`) },
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(' = ', '=', ': ', ' : ', '  =  '), value).map(([n, s, v]) => n + s + v) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(' ', '  ', '\t'), value).map(([i, v]) => i + v) },
  { weight: 1, arbitrary: fc.constantFrom('', '# c', '; c', '  # c', '\t; c', 'novalue', '= v', '[', ' [s1]', 'a = 1\r', '[s1] x') },
);
const extraLines = fc.array(fc.oneof(
  fc.tuple(fc.constantFrom(' ', '  ', '\t'), value).map(([i, v]) => i + v),
  fc.constantFrom('', '# c', '; c', '  ; c'),
), { maxLength: 2 });
const option = fc.tuple(fc.constantFrom(' = ', '=', ': ', ' : ', '  =  '), value, extraLines);
/** Mostly well-formed files (unique sections and options), sometimes with a random line put in. */
const wellFormed = fc
  .uniqueArray(fc.constantFrom(...SECTIONS), { minLength: 1, maxLength: 3 })
  .chain((sections) => fc.tuple(
    fc.tuple(...sections.map((sec) => fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 })
      .chain((names) => fc.tuple(...names.map((n) => option.map(([sep, v, more]) => [n + sep + v, ...more])))
        .map((opts) => [`[${sec}]`, ...opts.flat()])))),
    fc.option(fc.tuple(fc.nat(), lineArb), { freq: 4 }),
  ))
  .map(([blocks, junk]) => {
    const lines = blocks.flat();
    if (junk !== null) lines.splice(junk[0] % (lines.length + 1), 0, junk[1]);
    return lines;
  });
const fileText = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: wellFormed }, { weight: 1, arbitrary: fc.array(lineArb, { maxLength: 12 }) }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => lines.join(eol));
const fileSet = fc.tuple(fileText, fc.option(fileText), fc.option(fileText), fc.option(fileText)).map((texts) => {
  const files: Record<string, string> = {};
  texts.forEach((t, i) => { if (t !== null) files[FILES[i]!] = t; });
  return files;
});

/** Runs `read`; a thrown BanwardError is returned, anything else thrown fails the property. */
function banwardOutcome<T>(read: () => T): T | BanwardError {
  try {
    return read();
  } catch (e) {
    assert.ok(e instanceof BanwardError, `threw something other than a BanwardError: ${String((e as Error).stack ?? e)}`);
    assert.match(e.code, /^BANWARD_ERR_/);
    assert.ok(e.file !== undefined && e.line !== undefined, `${e.code} without file:line: ${e.message}`);
    return e;
  }
}

type Values = Record<string, Record<string, string | { error: string }>>;

function ourValues(stack: ConfigStack): Values {
  const out: Values = {};
  for (const s of sectionNames(stack)) {
    const names = new Set([...ownOptionNames(stack, s), ...stack.defaults.keys()]);
    out[s] = {};
    for (const o of names) {
      const v = banwardOutcome(() => getOption(stack, s, o)!.value.text);
      out[s][o] = v instanceof BanwardError ? { error: v.code } : v;
    }
  }
  return out;
}

test('fuzz: parseIni on arbitrary text returns sections or throws a BanwardError with file:line', () => {
  fc.assert(
    fc.property(fc.oneof(fileText, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
      banwardOutcome(() => parseIni(text, '/c/x.conf'));
    }),
    fuzzBudget(),
  );
});

test('fuzz: the config reader reads random files with includes as fail2ban\'s SafeConfigParserWithIncludes does', async (t) => {
  let compared = 0;
  let refused = 0;
  let loops = 0;
  await fc.assert(
    fc.asyncProperty(fileSet, async (files) => {
      const dir = mkdtempSync(join(tmpdir(), 'banward-fuzz-config-'));
      try {
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        const py = await oracle.ask<{ error?: string; sections?: Values; crash?: string }>({ dir });
        assert.equal(py.crash, undefined);
        const fs = memoryConfigFs(Object.fromEntries(Object.entries(files).map(([n, t]) => [join(dir, n), t])));
        const stack = banwardOutcome(() => loadConfigFiles([join(dir, 'main.conf')], fs));
        if (stack instanceof BanwardError && stack.code === 'BANWARD_ERR_CONFIG_INCLUDE_LOOP') { loops++; return; }
        if (py.error !== undefined || stack instanceof BanwardError) {
          assert.ok(py.error !== undefined && stack instanceof BanwardError,
            `fail2ban: ${py.error ?? 'reads it'}; banward: ${stack instanceof BanwardError ? stack.describe() : 'reads it'}`);
          refused++;
          return;
        }
        const ours = ourValues(stack);
        const theirs = py.sections!;
        // An error on both sides agrees whatever its kind; values must be equal.
        for (const s of Object.keys(theirs)) {
          for (const o of Object.keys(theirs[s]!)) {
            const t = theirs[s]![o]!;
            if (typeof t !== 'string' && typeof ours[s]?.[o] === 'object') ours[s][o] = t;
          }
        }
        assert.deepEqual(ours, theirs);
        compared++;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    fuzzBudget({ includeErrorInReport: true }),
  );
  t.diagnostic(`${compared} file sets read alike, ${refused} refused by both, ${loops} include loops`);
  assert.ok(compared > 0, 'no file set was read by both');
});
