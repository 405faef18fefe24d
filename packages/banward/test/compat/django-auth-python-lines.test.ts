/**
 * The bundled django-auth filter against lines Python's logging really writes, made at run time by Debian's
 * python3: seed 000's format (`%(created)s|%(levelname)s|%(message)s`, `"Login Fail %r by %s"`) with random
 * user names, and django-banward's own line under Django's default TIME_ZONE; under banward and plain fail2ban.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundledConfigDir } from '../../src/cli/_paths.js';
import { findFail2banPython } from '../_fail2ban-python.js';
import { banwardVerdicts, fail2banAddresses, withLog } from './_regex-verdicts.js';

const LINES = 240;
const DJANGO_DIR = fileURLToPath(new URL('../../../../../integrations/django', import.meta.url));
const FILTER = join(bundledConfigDir(), 'filter.d', 'django-auth.conf');

/** Prints one JSON object per line: the log line Python wrote, the address and the epoch it was given. */
const SEED_000 = String.raw`
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

/** django-banward's line as Django writes it with TIME_ZONE America/Chicago, through two formatters. */
const DJANGO_BANWARD = String.raw`
import io, logging, os, sys, time
os.environ['TZ'] = 'America/Chicago'  # what Django does with its default TIME_ZONE
time.tzset()
sys.path.insert(0, sys.argv[1])
from banward_django.log_line import log_failure, logger
out = io.StringIO()
for fmt in ('%(message)s', '%(created)s|%(levelname)s|%(message)s'):
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(fmt))
    logger.addHandler(handler)
    log_failure('203.0.113.5', 'o"hara', '/admin/login/', float(sys.argv[2]))
    logger.removeHandler(handler)
sys.stdout.write(out.getvalue())
`;

interface Written { line: string; ip: string; created: number }

test('issue 11 defect 5: every line Python writes in seed 000\'s format is counted against its own address', () => {
  const python = findFail2banPython('fail2ban');
  const seed = Date.now() % 100_000;
  const r = spawnSync(python, ['-c', SEED_000, String(seed), String(LINES)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const written = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Written);
  const fractions = new Set(written.map((w) => w.line.split('|')[0]!.split('.')[1]!.length));
  assert.ok(fractions.has(7) && fractions.has(1) && fractions.has(2), `fraction lengths seen: ${[...fractions].join(',')}`);
  assert.ok(written.some((w) => w.line.includes('Login Fail "')), 'no user name quoted with " (one holding a \')');
  withLog(written.map((w) => w.line), (log) => {
    const verdicts = banwardVerdicts(log, 'django-auth');
    written.forEach((w, i) => {
      assert.equal(verdicts[i]?.fid, w.ip, `seed ${seed}, line ${i + 1}: ${w.line}`);
      // fail2ban's EPOCH takes 3 to 6 fraction digits; 1 or 2 are cut with the date: the second is right
      assert.ok(Math.abs((verdicts[i]?.time ?? 0) - w.created) < 1, `seed ${seed}, line ${i + 1}: time ${verdicts[i]?.time} for ${w.created}`);
    });
    assert.deepEqual(fail2banAddresses(log, FILTER), written.map((w) => w.ip), `plain fail2ban, seed ${seed}`);
  });
});

test('issue 11 defect 6: django-banward\'s line under TIME_ZONE America/Chicago is read at its UTC time', () => {
  const when = 1124006401.523263;
  const r = spawnSync(findFail2banPython('fail2ban'), ['-c', DJANGO_BANWARD, DJANGO_DIR, String(when)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], '2005-08-14T08:00:01.523263+00:00 banward: login failed ip=203.0.113.5 user="o\\"hara" path="/admin/login/"');
  withLog(lines, (log) => {
    const verdicts = banwardVerdicts(log, 'django-auth');
    assert.deepEqual(verdicts.map((v) => v.fid), ['203.0.113.5', '203.0.113.5']);
    assert.equal(verdicts[0]!.time, Math.floor(when));
    // the formatter's %(created)s is the date read there: the moment Python wrote the line, an epoch too
    assert.ok(Math.abs(verdicts[1]!.time! - Number(lines[1]!.split('|')[0])) < 1e-6, lines[1]);
    assert.deepEqual(fail2banAddresses(log, FILTER), ['203.0.113.5', '203.0.113.5']);
  });
});
