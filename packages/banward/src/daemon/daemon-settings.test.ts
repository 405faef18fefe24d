import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDaemonSettings } from './daemon-settings.js';

function settingsWith(line: string) {
  const dir = mkdtempSync(join(tmpdir(), 'banward-settings-'));
  writeFileSync(join(dir, 'banward.conf'), `[Definition]\n${line}\n`);
  return readDaemonSettings(dir);
}

test('linetimeout: 50 ms by default, in ms or as seconds, 0 for no bound, a bad value names its file and line', () => {
  assert.equal(settingsWith('').lineTimeout, 50);
  assert.equal(settingsWith('linetimeout = 200ms').lineTimeout, 200);
  assert.equal(settingsWith('linetimeout = 0.05').lineTimeout, 50);
  assert.equal(settingsWith('linetimeout = 1s').lineTimeout, 1000);
  assert.equal(settingsWith('linetimeout = 0').lineTimeout, 0);
  assert.throws(() => settingsWith('linetimeout = soon'), (error: Error & { code?: string; line?: number }) => {
    assert.equal(error.code, 'BANWARD_ERR_CONFIG_VALUE');
    assert.equal(error.line, 2);
    return true;
  });
});
