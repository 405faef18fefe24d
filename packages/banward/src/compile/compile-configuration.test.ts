import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { compileConfiguration } from './compile-configuration.js';

const FILTER = '[Definition]\nfailregex = ^login failed from <HOST>$\n';

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'banward-compile-'));
  for (const [path, text] of Object.entries({ 'filter.d/test.conf': FILTER, ...files })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text.replaceAll('$DIR', dir));
  }
  return dir;
}

const jailConf = (body: string): Record<string, string> => ({ 'jail.conf': `[DEFAULT]\naction = log\n\n${body}` });

test('issue 12: a failregex written in a jail section replaces the filter\'s, as in fail2ban', async () => {
  const dir = configDir(jailConf('[sshd]\nenabled = true\nfilter = test\nlogpath = $DIR/a.log\nfailregex = ^mine <HOST>$\n           ^also <HOST>$\n'));
  const [spec] = (await compileConfiguration(dir)).jails;
  assert.deepEqual(spec?.filter?.regexes.failregex, ['^mine <HOST>$', '^also <HOST>$']);
  assert.equal(spec?.filter?.name, 'test');
});

test('issue 12: a custom jail with filter =, its own failregex and a logpath reads its log, not "reports only"', async () => {
  const dir = configDir(jailConf('[custom]\nenabled = true\nfilter =\nlogpath = $DIR/a.log\nfailregex = ^denied <HOST>$\nignoreregex = ^denied 10\\.\n'));
  const config = await compileConfiguration(dir);
  assert.deepEqual(config.problems, []);
  const [spec] = config.jails;
  assert.deepEqual(spec?.filter?.regexes.failregex, ['^denied <HOST>$']);
  assert.deepEqual(spec?.filter?.regexes.ignoreregex, ['^denied 10\\.']);
  assert.equal(spec?.filter?.name, null);
});

test('issue 12: a misspelled jail option is a warning at its file:line; options a reference uses are not', async () => {
  const dir = configDir({
    ...jailConf('[sshd]\nenabled = true\nfilter = test[mode=%(mode)s]\nlogpath = $DIR/a.log\nmaxretyr = 3\nmode = aggressive\naction = blocker\nchain = INPUT\n'),
    'action.d/blocker.conf': '[Definition]\nactionban = echo <chain>\nactionunban = true\n',
  });
  const config = await compileConfiguration(dir);
  assert.deepEqual(config.problems, []);
  assert.deepEqual(config.warnings.map((w) => [w.code, w.file, w.line, w.message]), [
    ['BANWARD_W_UNUSED_OPTION', join(dir, 'jail.conf'), 8, '[sshd] maxretyr: nothing reads this option (misspelled?); it has no effect'],
  ]);
});

test('issue 12: an unknown action is a problem at the line that names it; a Python action is recorded as not enforced', async () => {
  const dir = configDir(jailConf('[a]\nenabled = true\nfilter = test\nlogpath = $DIR/a.log\naction = nftabels[port=ssh]\n\n[b]\nenabled = true\nfilter = test\nlogpath = $DIR/a.log\naction = smtp.py\n'));
  const config = await compileConfiguration(dir);
  assert.equal(config.problems.length, 1);
  assert.equal(config.problems[0]?.line, 8);
  assert.match(config.problems[0]?.message ?? '', /\[a\] action: no action "nftabels"/);
  assert.match(config.jails.find((j) => j.name === 'b')?.unenforced ?? '', /Python actions do not run in banward/);
});

test('issue 12: the fingerprint covers the action.d file a jail runs, and not where its options were written', async () => {
  const dir = configDir({
    ...jailConf('[sshd]\nenabled = true\nfilter = test\nlogpath = $DIR/a.log\naction = blocker\n'),
    'action.d/blocker.conf': '[Definition]\nactionban = echo ban\nactionunban = true\n',
  });
  const first = (await compileConfiguration(dir)).jails[0]?.fingerprint;
  writeFileSync(join(dir, 'jail.conf'), `# a comment moves every line\n${jailConf('[sshd]\nenabled = true\nfilter = test\nlogpath = $DIR/a.log\naction = blocker\n')['jail.conf']!.replaceAll('$DIR', dir)}`);
  assert.equal((await compileConfiguration(dir)).jails[0]?.fingerprint, first);
  appendFileSync(join(dir, 'action.d/blocker.conf'), 'actionstart = echo start\n');
  assert.notEqual((await compileConfiguration(dir)).jails[0]?.fingerprint, first);
});

test('issue 12: the compiled configuration is frozen', async () => {
  const dir = configDir(jailConf('[sshd]\nenabled = true\nfilter = test\nlogpath = $DIR/a.log\n'));
  const config = await compileConfiguration(dir);
  assert.ok(Object.isFrozen(config.jails[0]?.filter?.spec.failregex));
  assert.ok(Object.isFrozen(config.jails[0]?.options));
});

test('issue 12: runtime checks say what will not work: a log that is missing is waited for, a directory is read from never', async () => {
  const dir = configDir(jailConf('[a]\nenabled = true\nfilter = test\nlogpath = $DIR/missing.log\n\n[b]\nenabled = true\nfilter = test\nlogpath = $DIR/filter.d\n'));
  const config = await compileConfiguration(dir);
  assert.deepEqual(config.jails.find((j) => j.name === 'a')?.notices, [`${dir}/missing.log does not exist yet: the jail reads it when it appears`]);
  assert.deepEqual(config.jails.find((j) => j.name === 'b')?.warnings.slice(0, 1), [`${dir}/filter.d is not a file: the jail reads nothing from it`]);
});
