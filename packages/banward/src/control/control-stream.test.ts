import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BanwardError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { MAX_STREAM_BACKLOG_BYTES } from './_connection.js';
import { sendRequest, watchDaemon } from './control-client.js';
import { startControlServer, type ControlServerOptions } from './control-server.js';
import { ReplyStream } from './reply-stream.js';

const root = await mkdtemp(join(tmpdir(), 'banward-stream-'));
after(() => rm(root, { recursive: true, force: true }));
let sockets = 0;

/** A server whose `watch` streams what `emit` sends, as the daemon's does with its events. */
async function start(options: Partial<ControlServerOptions> = {}) {
  const listeners = new Set<(value: unknown) => void>();
  const logged: string[] = [];
  const server = await startControlServer({
    path: join(root, `run${++sockets}`, 'banward.sock'),
    log: createLogger({ level: 'debug', write: (line) => logged.push(line) }),
    handler: async (request) => {
      if (request.command !== 'watch') return 'pong';
      return new ReplyStream({ jails: ['sshd'] }, (send) => {
        listeners.add(send);
        return () => listeners.delete(send);
      });
    },
    ...options,
  });
  after(() => server.close());
  const emit = (value: unknown) => { for (const send of listeners) send(value); };
  return { server, listeners, logged, emit };
}

/** Waits until `probe` holds (a hang fails after 15 s instead of stalling the suite). */
async function until(probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${probe.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const expectCode = (code: string) => (error: unknown) => error instanceof BanwardError && error.code === code;

test('watch: the reply, then one line per event until the client closes; closing unsubscribes', async () => {
  const { server, listeners, emit } = await start();
  const events: unknown[] = [];
  const watch = await watchDaemon(server.path, (event) => events.push(event));
  assert.deepEqual(watch.result, { jails: ['sshd'] });
  assert.equal(listeners.size, 1);
  emit({ type: 'ban', ip: '192.0.2.1' });
  emit({ type: 'unban', ip: '192.0.2.1' });
  await until(() => events.length === 2);
  assert.deepEqual(events, [{ type: 'ban', ip: '192.0.2.1' }, { type: 'unban', ip: '192.0.2.1' }]);
  watch.close();
  await watch.ended;
  await until(() => listeners.size === 0);
  assert.equal(await sendRequest(server.path, 'ping'), 'pong', 'the server serves on');
});

test('watch: the idle timeout does not close a quiet stream', async () => {
  const { server, emit } = await start({ idleTimeoutMs: 20 });
  const events: unknown[] = [];
  const watch = await watchDaemon(server.path, (event) => events.push(event));
  await new Promise((r) => setTimeout(r, 200));
  emit({ type: 'found' });
  await until(() => events.length === 1);
  watch.close();
});

test('watch: streams beyond maxStreams get an error reply; a closed stream frees its slot', async () => {
  const { server } = await start({ maxStreams: 2 });
  const first = await watchDaemon(server.path, () => undefined);
  const second = await watchDaemon(server.path, () => undefined);
  await assert.rejects(watchDaemon(server.path, () => undefined), (error: unknown) =>
    expectCode('BANWARD_ERR_COMMAND')(error) && /already streams to 2 clients/.test((error as Error).message));
  assert.equal(await sendRequest(server.path, 'ping'), 'pong', 'other requests are served');
  first.close();
  // The slot is freed when the server sees the close; retry until it has.
  let third;
  while (third === undefined) third = await watchDaemon(server.path, () => undefined).catch(() => undefined);
  second.close();
  third.close();
});

test('watch: a client that stops reading is dropped past the backlog bound, once logged; other watchers get every event', async () => {
  const { server, listeners, logged, emit } = await start();
  const healthy: unknown[] = [];
  const watch = await watchDaemon(server.path, (event) => healthy.push(event));
  const stalled = createConnection(server.path);
  stalled.on('error', () => undefined);
  await once(stalled, 'connect');
  stalled.write('{"id":1,"command":"watch"}\n');
  await until(() => listeners.size === 2);
  stalled.pause();
  const lines = ['x'.repeat(10_000)];
  let sent = 0;
  while (listeners.size === 2) {
    emit({ type: 'found', lines });
    sent += 1;
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(sent * 10_000 > MAX_STREAM_BACKLOG_BYTES, 'dropped only past the bound');
  await until(() => healthy.length === sent);
  assert.equal(logged.filter((line) => line.includes('bytes of streamed lines unread')).length, 1);
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
  watch.close();
  stalled.destroy();
});

test('watch: lines sent after watch are not answered; a half-close ends the stream', async () => {
  const { server, listeners } = await start();
  const socket = createConnection(server.path);
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  socket.write('{"id":1,"command":"watch"}\n');
  await until(() => listeners.size === 1);
  socket.end('{"id":2,"command":"ping"}\n');
  await once(socket, 'close');
  assert.deepEqual(text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown), [{ id: 1, ok: true, result: { jails: ['sshd'] } }]);
  await until(() => listeners.size === 0);
});

test('watch: the server closing ends the stream, and the client hears it', async () => {
  const { server } = await start();
  const watch = await watchDaemon(server.path, () => undefined);
  await server.close();
  await assert.rejects(watch.ended, (error: unknown) =>
    expectCode('BANWARD_ERR_DAEMON_UNREACHABLE')(error) && /closed the 'watch' stream/.test((error as Error).message));
});
