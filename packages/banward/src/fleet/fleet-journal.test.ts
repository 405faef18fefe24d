import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FleetJournal } from './fleet-journal.js';

test('the outbox keeps order across a reopen, forgets what was published, and drops the oldest past its limit', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'banward-fleet-journal-')), 'state', 'fleet.sqlite3');
  const journal = new FleetJournal(path, 5);
  assert.equal(journal.lastId, null);
  assert.equal(journal.enqueue(['a', 'b', 'c']), 0);
  journal.lastId = '1700000000000-3';
  journal.close();
  const reopened = new FleetJournal(path, 5);
  assert.deepEqual(reopened.peek(10).map((r) => r.message), ['a', 'b', 'c']);
  assert.equal(reopened.lastId, '1700000000000-3');
  assert.equal(reopened.enqueue(['d', 'e', 'f', 'g']), 2);
  assert.deepEqual(reopened.peek(10).map((r) => r.message), ['c', 'd', 'e', 'f', 'g']);
  assert.deepEqual([reopened.length, reopened.outboxDropped], [5, 2]);
  reopened.remove(reopened.peek(2).at(-1)!.seq);
  assert.deepEqual(reopened.peek(10).map((r) => r.message), ['e', 'f', 'g']);
  assert.equal(reopened.length, 3);
  reopened.close();
});
