import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBanwardError } from '../errors.js';
import { memoryConfigFs } from './config-fs.js';
import { loadConfigStack, sectionNames, stackFileNames } from './config-stack.js';
import { getOption } from './interpolation.js';

test('reading order: X.conf, X.d/*.conf sorted, X.local, X.d/*.local sorted; hidden files skipped', () => {
  const fs = memoryConfigFs({
    '/c/jail.conf': '[DEFAULT]\nbantime = 1\n[sshd]\nport = ssh\n',
    '/c/jail.d/b.conf': '[sshd]\nport = 2\n',
    '/c/jail.d/a.conf': '[sshd]\nport = 1\n',
    '/c/jail.d/.hidden.conf': '[sshd]\nport = hidden\n',
    '/c/jail.local': '[DEFAULT]\nbantime = 3\n',
    '/c/jail.d/z.local': '[sshd]\nenabled = true\n',
  });
  assert.deepEqual(stackFileNames('/c/jail', fs), [
    '/c/jail.conf',
    '/c/jail.d/a.conf',
    '/c/jail.d/b.conf',
    '/c/jail.local',
    '/c/jail.d/z.local',
  ]);
  const stack = loadConfigStack('/c', 'jail', fs);
  assert.ok(stack);
  assert.deepEqual(sectionNames(stack), ['sshd']);
  assert.equal(getOption(stack, 'sshd', 'port')?.value.text, '2');
  assert.equal(getOption(stack, 'sshd', 'bantime')?.value.text, '3');
  assert.deepEqual(getOption(stack, 'sshd', 'port'), { ...getOption(stack, 'sshd', 'port'), file: '/c/jail.d/b.conf', line: 2 });
  assert.equal(loadConfigStack('/c', 'missing', fs), undefined);
});

test('[INCLUDES] before/after are read around the file, each with its .local', () => {
  const fs = memoryConfigFs({
    '/c/filter.d/x.conf': '[INCLUDES]\nbefore = common.conf\nafter = x-after.conf\n[Definition]\na = x\n',
    '/c/filter.d/common.conf': '[DEFAULT]\nc = common\n[Definition]\na = common\n',
    '/c/filter.d/common.local': '[DEFAULT]\nc = common-local\n',
    '/c/filter.d/x-after.conf': '[Definition]\nb = after\n',
  });
  const stack = loadConfigStack('/c', 'filter.d/x', fs);
  assert.ok(stack);
  assert.deepEqual(stack.files, [
    '/c/filter.d/common.conf',
    '/c/filter.d/common.local',
    '/c/filter.d/x.conf',
    '/c/filter.d/x-after.conf',
  ]);
  assert.equal(getOption(stack, 'Definition', 'a')?.value.text, 'x');
  assert.equal(getOption(stack, 'Definition', 'c')?.value.text, 'common-local');
  assert.equal(getOption(stack, 'Definition', 'known/a'), undefined);
});

test('[Sec?cond=val] merges into [Sec] as conditional options', () => {
  const fs = memoryConfigFs({
    '/c/action.d/fw.conf': '[Init]\nblocktype = REJECT\n[Init?family=inet6]\nblocktype = REJECT6\n',
  });
  const stack = loadConfigStack('/c', 'action.d/fw', fs);
  assert.ok(stack);
  assert.deepEqual([...(stack.sections.get('Init')?.keys() ?? [])], ['blocktype', 'blocktype?family=inet6']);
});

test('files including each other are an error naming the files', () => {
  const fs = memoryConfigFs({
    '/c/filter.d/a.conf': '[INCLUDES]\nbefore = b.conf\n',
    '/c/filter.d/b.conf': '[INCLUDES]\n\nafter = a.conf\n',
  });
  assert.throws(
    () => loadConfigStack('/c', 'filter.d/a', fs),
    (e) =>
      isBanwardError(e) &&
      e.code === 'BANWARD_ERR_CONFIG_INCLUDE_LOOP' &&
      e.file === '/c/filter.d/b.conf' &&
      e.line === 3 &&
      e.message.includes('/c/filter.d/a.conf -> /c/filter.d/b.conf -> /c/filter.d/a.conf'),
  );
});

test('fuzz finding: a .local that includes its own .conf is an include loop, not a stack overflow', () => {
  const fs = memoryConfigFs({
    '/c/jail.conf': '[sshd]\nport = 22\n',
    '/c/jail.local': '[INCLUDES]\nbefore = jail.conf\n[sshd]\nport = 2222\n',
  });
  assert.throws(() => loadConfigStack('/c', 'jail', fs), (e: unknown) =>
    isBanwardError(e) && e.code === 'BANWARD_ERR_CONFIG_INCLUDE_LOOP' && e.file === '/c/jail.local' && e.line === 2);
});
