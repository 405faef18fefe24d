/**
 * The bundled django-auth filter against lines Python's logging really writes in seed 000's format
 * (`%(created)s|%(levelname)s|%(message)s`, `"Login Fail %r by %s"`), made at run time by Debian's python3 with
 * random user names, under banward and under plain fail2ban.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledConfigDir } from '../../src/cli/_paths.js';
import { findFail2banPython } from '../_fail2ban-python.js';
import { BANWARD_BIN } from './_sample-suite.js';

const LINES = 240;

/** Prints one JSON object per line: the log line Python wrote, the address and the epoch it was given. */
const GENERATOR = String.raw`
import io, json, logging, random, sys
rnd = random.Random(int(sys.argv[1]))
out = io.StringIO()
handler = logging.StreamHandler(out)
handler.setFormatter(logging.Formatter('%(created)s|%(levelname)s|%(message)s'))
log = logging.getLogger('django.auth')
log.addHandler(handler)
log.propagate = False
pieces = ["o'hara", 'ra"y', '\\', "'", '"', ' by 198.51.100.9', " by 198.51.100.7'", '" by 2001:db8::bad', 'jürgen',
          'Ｏ＇ｈａｒａ', ' by １９８.５１.１００.９', '\n1124006400.5|ERROR|Login Fail x by 198.51.100.4', '\r', '\x00', '\x85',
          '\u2028', '\ud800', 'None', "\\'", '😀', ' from 198.51.100.5', 'rip=198.51.100.6', '|ERROR|Login Fail ']
for i in range(int(sys.argv[2])):
    user = None if i % 20 == 0 else ''.join(rnd.choice(pieces) if rnd.random() < .6 else rnd.choice('abxyz') for _ in range(rnd.randint(0, 7)))
    ip = rnd.choice(['203.0.113.%d' % rnd.randint(1, 254), '2001:db8:%x::%x' % (rnd.randint(1, 65535), rnd.randint(1, 65535))])
    record = log.makeRecord('django.auth', logging.ERROR, 'views.py', 1, 'Login Fail %r by %s', (user, ip), None)
    record.created = 1124006400 + i * 7 + rnd.random()
    if i % 10 == 3: record.created = float(int(record.created))
    if i % 10 == 7: record.created = round(record.created, 1 + i % 2)
    log.handle(record)
    print(json.dumps({'line': out.getvalue().rstrip('\n').split('\n')[-1], 'ip': ip, 'created': record.created}))
`;

interface Written { line: string; ip: string; created: number }

function pythonLines(python: string, seed: number): Written[] {
  const r = spawnSync(python, ['-c', GENERATOR, String(seed), String(LINES)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Written);
}

test('issue 11 defect 5: every line Python writes in seed 000\'s format is counted against its own address', () => {
  const python = findFail2banPython('fail2ban');
  const seed = Date.now() % 100_000;
  const written = pythonLines(python, seed);
  const fractions = new Set(written.map((w) => w.line.split('|')[0]!.split('.')[1]!.length));
  assert.ok(fractions.has(7) && fractions.has(1) && fractions.has(2), `fraction lengths seen: ${[...fractions].join(',')}`);
  assert.ok(written.some((w) => w.line.includes('Login Fail "')), 'no user name quoted with " (one holding a \')');
  const dir = mkdtempSync(join(tmpdir(), 'banward-django-python-'));
  try {
    const log = join(dir, 'auth.log');
    writeFileSync(log, written.map((w) => `${w.line}\n`).join(''));
    const run = spawnSync(process.execPath, [BANWARD_BIN, 'regex', '--json', log, 'django-auth'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(run.status, 0, run.stderr);
    const verdicts = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line?: number; fid?: string | null; time?: number | null });
    written.forEach((w, i) => {
      const v = verdicts.find((x) => x.line === i + 1);
      assert.equal(v?.fid, w.ip, `seed ${seed}, line ${i + 1}: ${w.line}`);
      // fail2ban's EPOCH takes 3 to 6 fraction digits; 1 or 2 are cut with the date: the second is right
      assert.ok(Math.abs((v?.time ?? 0) - w.created) < 1, `seed ${seed}, line ${i + 1}: time ${v?.time} for ${w.created}`);
    });
    const f2b = spawnSync(python, ['/usr/bin/fail2ban-regex', '-o', 'ip', log, join(bundledConfigDir(), 'filter.d', 'django-auth.conf')], { encoding: 'utf8' });
    assert.equal(f2b.status, 0, f2b.stderr);
    assert.deepEqual(f2b.stdout.trim().split('\n'), written.map((w) => w.ip), `plain fail2ban, seed ${seed}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
