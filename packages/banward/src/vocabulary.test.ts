import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { FALSE_WORDS, TRUE_WORDS, USEDNS_WORDS, isUseDns, parseBooleanWord } from './config/index.js';
import { LOG_LEVELS, isLogLevel } from './log/logger.js';
import { VERSION } from './version.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(SRC, path)] : [];
  });
}

/** Each word list and shared type, and the one module allowed to spell it out. */
const VOCABULARY: { what: string; spelled: RegExp; owner: string }[] = [
  { what: 'the boolean words', spelled: /'(?:1|0|yes|no|true|false|on|off)',\s*'(?:yes|no|true|false|on|off)'/, owner: 'config/fail2ban-words.ts' },
  { what: 'the usedns words', spelled: /'yes'\s*[,|]\s*'warn'|type UseDns\s*=/, owner: 'config/fail2ban-words.ts' },
  { what: 'the log levels', spelled: /'error'\s*[,|]\s*'warn'|type LogLevel\s*=/, owner: 'log/logger.ts' },
  { what: 'the backend names', spelled: /pyinotify:|'pyinotify'/, owner: 'source/source-registry.ts' },
  { what: 'the refusal result types', spelled: /ok:\s*false;\s*reason/, owner: 'result.ts' },
  { what: 'the action kind', spelled: /interface \w*ActionKind\b/, owner: 'enforcer/action-registry.ts' },
  { what: 'the package version', spelled: /package\.json/, owner: 'version.ts' },
];

test('each word list and shared type is spelled in one module, which the others import', () => {
  const files = sources(SRC).map((file) => ({ file, text: readFileSync(join(SRC, file), 'utf8') }));
  assert.ok(files.length > 50, `read ${files.length} source files from ${SRC}`);
  for (const { what, spelled, owner } of VOCABULARY) {
    const spelling = files.filter(({ text }) => spelled.test(text)).map(({ file }) => file);
    assert.deepEqual(spelling, [owner], `${what}: spelled in ${spelling.join(', ')}`);
  }
});

test('fail2ban\'s boolean words, in any case and with spaces around them; anything else is no boolean', () => {
  for (const word of TRUE_WORDS) for (const text of [word, word.toUpperCase(), ` ${word} `]) assert.equal(parseBooleanWord(text), true, text);
  for (const word of FALSE_WORDS) for (const text of [word, word.toUpperCase(), ` ${word} `]) assert.equal(parseBooleanWord(text), false, text);
  for (const text of ['', 'y', 'enabled', '2', 'true false', 'constructor']) assert.equal(parseBooleanWord(text), undefined, text);
});

test('usedns words and log levels are exactly the listed ones, not inherited names', () => {
  assert.deepEqual([...USEDNS_WORDS], ['yes', 'warn', 'no', 'raw']);
  assert.deepEqual(USEDNS_WORDS.filter(isUseDns), [...USEDNS_WORDS]);
  assert.deepEqual([...LOG_LEVELS], ['error', 'warn', 'notice', 'info', 'debug']);
  for (const word of ['constructor', 'toString', '__proto__', 'YES', 'Warn', '']) {
    assert.equal(isUseDns(word), false, word);
    assert.equal(isLogLevel(word), false, word);
  }
});

test('the version is the package\'s', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
});
