import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { DaemonEvent } from '../control/index.js';
import { createLogger } from '../log/logger.js';
import { EventHub } from './event-hub.js';

const found: DaemonEvent = { type: 'found', jail: 'sshd', ip: '192.0.2.1', time: 1, lines: ['x'] };
const ban: DaemonEvent = { type: 'ban', jail: 'sshd', ip: '192.0.2.1', time: 1, bantime: 600, banCount: 1, failures: 3 };

test('issue 14: found events go only to listeners that want them, and jails build them only while one does', () => {
  const errors: string[] = [];
  const hub = new EventHub(createLogger({ level: 'error', write: (l) => errors.push(l) }));
  const all: string[] = [];
  const rare: string[] = [];
  assert.equal(hub.wantsFound, false);
  const stopRare = hub.subscribe((e) => rare.push(e.type), { found: false });
  assert.equal(hub.wantsFound, false, 'a listener without found events does not make jails build them');
  const stopAll = hub.subscribe((e) => all.push(e.type));
  assert.equal(hub.wantsFound, true);
  hub.subscribe(() => { throw new Error('listener bug'); }, { found: false });
  hub.emit(found);
  hub.emit(ban);
  assert.deepEqual(all, ['found', 'ban']);
  assert.deepEqual(rare, ['ban']);
  assert.equal(errors.length, 1, 'a listener that throws is logged, the others still hear');
  stopAll();
  stopAll();
  assert.equal(hub.wantsFound, false, 'unsubscribing twice counts once');
  stopRare();
  hub.emit(ban);
  assert.deepEqual(rare, ['ban']);
});
