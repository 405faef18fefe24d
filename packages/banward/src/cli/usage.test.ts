import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli } from './_test-support.js';
import { COMMANDS } from './main.js';

/**
 * The usage texts, as committed. The build copies only .ts to dist, so the snapshot is read from the source
 * tree. After an intended change of a usage text: `UPDATE_SNAPSHOTS=1 node --test dist/src/cli/usage.test.js`
 * (from packages/banward), then review the diff of the snapshot with the change.
 */
const SNAPSHOT = fileURLToPath(new URL('../../../src/cli/__snapshots__/usage.txt', import.meta.url));

test('cli: every usage text (banward --help, banward CMD --help) matches its committed snapshot', async () => {
  let actual = '';
  for (const argv of [['--help'], ...COMMANDS.map((c) => [c.name, '--help'])]) {
    const r = await runCli(...argv);
    assert.equal(r.code, 0, r.stderr);
    actual += `$ banward ${argv.join(' ')}\n${r.stdout}\n`;
  }
  if (process.env['UPDATE_SNAPSHOTS'] === '1') {
    mkdirSync(dirname(SNAPSHOT), { recursive: true });
    writeFileSync(SNAPSHOT, actual);
  }
  assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'), 'a usage text changed: rerun with UPDATE_SNAPSHOTS=1 if that was meant');
});
