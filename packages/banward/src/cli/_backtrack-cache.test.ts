import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { backtrackRisk } from '../filter/regex/python-regex.js';
import { BacktrackCache, backtrackCachePath } from './_backtrack-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'banward-backtrack-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RISKY = '^(a+)+$';
const SAFE = '^user \\S+ from <HOST>$';

function cacheFile(name: string): string {
  return join(dir, name, 'banward', 'backtrack-risk.json');
}

test('a verdict is computed once, saved private to the user, and read back by the next run', () => {
  const path = cacheFile('first');
  const first = new BacktrackCache(path);
  assert.deepEqual(first.risk(RISKY, false), backtrackRisk(RISKY));
  assert.equal(first.risk(SAFE, false), null);
  first.save();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { key: string; verdicts: Record<string, unknown> };
  assert.deepEqual(stored.verdicts, { [`s:${RISKY}`]: 'e', [`s:${SAFE}`]: null });
  // The next run answers from the file: a verdict changed there is what it returns.
  writeFileSync(path, JSON.stringify({ key: stored.key, verdicts: { [`s:${SAFE}`]: 4 } }));
  assert.deepEqual(new BacktrackCache(path).risk(SAFE, false), { kind: 'polynomial', degree: 4 });
});

test('the multi-line flag is part of the key', () => {
  const cache = new BacktrackCache(cacheFile('flags'));
  cache.risk(SAFE, false);
  assert.deepEqual(cache.risk('a.*b.*c.*d', true), backtrackRisk('a.*b.*c.*d', { multiline: true }));
});

test('a file from another version or build, a corrupt file, or a forged value is not believed', () => {
  const path = cacheFile('stale');
  mkdirSync(dirname(path), { recursive: true });
  const cases = [
    JSON.stringify({ key: 'banward 0.0.1', verdicts: { [`s:${RISKY}`]: null } }),
    '{"key": ',
    JSON.stringify({ verdicts: { [`s:${RISKY}`]: null } }),
  ];
  for (const text of cases) {
    writeFileSync(path, text);
    assert.deepEqual(new BacktrackCache(path).risk(RISKY, false), backtrackRisk(RISKY), text);
  }
  const own = new BacktrackCache(path);
  own.risk(SAFE, false);
  own.save();
  const key = (JSON.parse(readFileSync(path, 'utf8')) as { key: string }).key;
  for (const forged of ['x', -1, 2.5, { kind: 'polynomial' }]) {
    writeFileSync(path, JSON.stringify({ key, verdicts: { [`s:${RISKY}`]: forged } }));
    assert.deepEqual(new BacktrackCache(path).risk(RISKY, false), backtrackRisk(RISKY), JSON.stringify(forged));
  }
});

test('a cache that cannot be written costs nothing but the analysis', () => {
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, '');
  const cache = new BacktrackCache(join(blocker, 'banward', 'backtrack-risk.json'));
  assert.deepEqual(cache.risk(RISKY, false), backtrackRisk(RISKY));
  assert.doesNotThrow(() => cache.save());
});

test('the cache lives under $XDG_CACHE_HOME, else ~/.cache', () => {
  assert.equal(backtrackCachePath({ XDG_CACHE_HOME: '/c', HOME: '/h' }), '/c/banward/backtrack-risk.json');
  assert.equal(backtrackCachePath({ HOME: '/h' }), '/h/.cache/banward/backtrack-risk.json');
});
