import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { BanwardError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { resolveGroup } from './_socket-file.js';
import { sendRequest } from './control-client.js';
import { startControlServer, type ControlHandler, type ControlServerOptions } from './control-server.js';
import { MAX_REQUEST_BYTES, type ErrorBody } from './protocol.js';

/** A reply line as these tests read it: the fields of either outcome, each possibly absent. */
interface Reply {
  id?: unknown;
  ok?: boolean;
  result?: unknown;
  error?: ErrorBody;
}
const parseReply = (line: string): Reply => JSON.parse(line) as Reply;

const root = await mkdtemp(join(tmpdir(), 'banward-ctl-'));
after(() => rm(root, { recursive: true, force: true }));
let sockets = 0;
const socketPath = () => join(root, `run${++sockets}`, 'banward.sock');

const echo: ControlHandler = async (request) => {
  if (request.command === 'ping') return 'pong';
  if (request.command === 'status' && request.args[0] === 'nope') throw new BanwardError('BANWARD_ERR_COMMAND', "no jail named 'nope'");
  if (request.command === 'get') throw new Error('boom');
  if (request.command === 'stop') return undefined;
  return { command: request.command, args: request.args, options: request.options };
};

async function start(options: Partial<ControlServerOptions> = {}) {
  const logged: string[] = [];
  const server = await startControlServer({
    path: socketPath(), handler: echo, log: createLogger({ level: 'debug', write: (line) => logged.push(line) }), ...options,
  });
  after(() => server.close());
  return { server, logged };
}

/** Writes raw bytes, reads until `count` lines arrived or the daemon ended the connection. */
function converse(path: string, payload: string | Buffer, count = Infinity): Promise<{ lines: string[]; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    const done = (ended: boolean) => {
      socket.destroy();
      resolve({ lines: text.split('\n').filter(Boolean), ended });
    };
    socket.on('connect', () => socket.write(payload, () => undefined));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.split('\n').length - 1 >= count) done(false);
    });
    socket.on('end', () => done(true));
    // Writing past the point where the daemon closed may reset; what it answered is what counts.
    socket.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? done(true) : reject(error)));
  });
}

const expectCode = (code: string) => (error: unknown) => error instanceof BanwardError && error.code === code;

test('control: a request round-trips through the socket', async () => {
  const { server } = await start();
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
  assert.deepEqual(await sendRequest(server.path, 'status', ['sshd'], { json: true }),
    { command: 'status', args: ['sshd'], options: { json: true } });
  assert.equal(await sendRequest(server.path, 'stop'), null);
});

test('control: several requests on one connection are answered in order', async () => {
  let delay = 30;
  const { server } = await start({
    handler: async (request) => {
      await new Promise((r) => setTimeout(r, (delay -= 10)));
      return request.args[0];
    },
  });
  const requests = ['a', 'b', 'c'].map((arg, i) => JSON.stringify({ id: i + 1, command: 'status', args: [arg] })).join('\n') + '\n';
  const { lines } = await converse(server.path, requests, 3);
  assert.deepEqual(lines.map(parseReply), [
    { id: 1, ok: true, result: 'a' }, { id: 2, ok: true, result: 'b' }, { id: 3, ok: true, result: 'c' },
  ]);
});

test('control: a handler error becomes an error reply and the server keeps serving', async () => {
  const { server, logged } = await start();
  await assert.rejects(sendRequest(server.path, 'status', ['nope']),
    (e: unknown) => expectCode('BANWARD_ERR_COMMAND')(e) && (e as Error).message === "no jail named 'nope'");
  await assert.rejects(sendRequest(server.path, 'get', ['sshd', 'bantime']),
    (e: unknown) => expectCode('BANWARD_ERR_COMMAND')(e) && /internal error in 'get': boom/.test((e as Error).message));
  assert.ok(logged.some((line) => line.includes('ERROR') && line.includes('boom')), 'the internal error is logged');
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('control: malformed JSON gets an error reply, the connection closes, the next client is served', async () => {
  const { server } = await start();
  const { lines, ended } = await converse(server.path, '{"id": 1, "command": "ping"}\n{oops\n{"id": 2, "command": "ping"}\n');
  assert.ok(ended);
  assert.deepEqual(JSON.parse(lines[0]!), { id: 1, ok: true, result: 'pong' });
  assert.equal(parseReply(lines[1]!).error?.code, 'BANWARD_ERR_PROTOCOL');
  assert.equal(lines.length, 2, 'nothing after the malformed line is answered');
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('control: an oversized request gets an error reply, the connection closes, the next client is served', async () => {
  const { server } = await start();
  const { lines, ended } = await converse(server.path, Buffer.alloc(MAX_REQUEST_BYTES + 1024, 'x'));
  assert.ok(ended);
  const reply = parseReply(lines[0]!);
  assert.equal(reply.ok, false);
  assert.equal(reply.error?.code, 'BANWARD_ERR_PROTOCOL');
  assert.match(reply.error?.message ?? '', /longer than 65536 bytes/);
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('control: an unknown command is refused by validation and the connection stays usable', async () => {
  const { server } = await start();
  const { lines } = await converse(server.path, '{"id": 1, "command": "rm"}\n{"id": 2, "command": "ping"}\n', 2);
  const [refused, answered] = lines.map(parseReply);
  assert.deepEqual([refused?.id, refused?.ok, refused?.error?.code], [1, false, 'BANWARD_ERR_PROTOCOL']);
  assert.match(refused?.error?.message ?? '', /unknown command "rm"/);
  assert.deepEqual(answered, { id: 2, ok: true, result: 'pong' });
  await assert.rejects(sendRequest(server.path, 'rm'), expectCode('BANWARD_ERR_PROTOCOL'));
});

test('control: the socket is 0600 by default and its directory is created 0755', async () => {
  const { server } = await start();
  assert.equal((await stat(server.path)).mode & 0o777, 0o600);
  assert.equal((await stat(join(server.path, '..'))).mode & 0o777, 0o755);
});

test('control: with a group the socket is 0660 and owned by that group (name or gid)', async () => {
  // The process's own group: any user may give a file to it, so the test needs no root.
  const gid = process.getgid?.() ?? 0;
  const name = (await readFile('/etc/group', 'utf8')).split('\n').map((l) => l.split(':')).find((f) => f[2] === String(gid))?.[0];
  assert.ok(name, `gid ${gid} has a name in /etc/group`);
  for (const group of [name, gid]) {
    const { server } = await start({ group });
    const info = await stat(server.path);
    assert.equal(info.mode & 0o777, 0o660);
    assert.equal(info.gid, gid);
  }
  await assert.rejects(resolveGroup('no-such-group-banward'), expectCode('BANWARD_ERR_CONFIG_VALUE'));
});

test('control: a stale socket file is replaced', async () => {
  const path = socketPath();
  await mkdir(dirname(path), { recursive: true });
  // A daemon killed with SIGKILL leaves its socket file behind with nobody listening.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok((await stat(path)).isSocket());
  const { server } = await start({ path });
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('control: a second server on a live socket refuses to start', async () => {
  const { server } = await start();
  await assert.rejects(start({ path: server.path }),
    (e: unknown) => expectCode('BANWARD_ERR_SOCKET')(e) && /already running on/.test((e as Error).message));
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('control: a path that is not a socket is never deleted', async () => {
  const path = join(root, 'plain-file');
  await writeFile(path, 'keep me');
  await assert.rejects(start({ path }), expectCode('BANWARD_ERR_SOCKET'));
  assert.ok((await stat(path)).isFile());
});

test('control: close() removes the socket file', async () => {
  const { server } = await start();
  await server.close();
  await assert.rejects(stat(server.path), { code: 'ENOENT' });
});

test('control: close() lets a request in progress answer first', async () => {
  let release = () => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const { server } = await start({ handler: async () => { await gate; return 'late'; } });
  const reply = sendRequest(server.path, 'ping');
  await new Promise((r) => setTimeout(r, 20));
  const closed = server.close();
  await assert.rejects(sendRequest(server.path, 'ping'), expectCode('BANWARD_ERR_DAEMON_UNREACHABLE'));
  release();
  assert.equal(await reply, 'late');
  await closed;
});

test('control: a handler may close the server right after answering, as stop does', async () => {
  const closing: Array<Promise<void>> = [];
  const holder: { close?: () => Promise<void> } = {};
  const { server } = await start({
    handler: async () => {
      setImmediate(() => closing.push(holder.close!()));
      return null;
    },
  });
  holder.close = () => server.close();
  assert.equal(await sendRequest(server.path, 'stop'), null);
  await new Promise((r) => setImmediate(r));
  await Promise.all(closing);
  await assert.rejects(stat(server.path), { code: 'ENOENT' });
});

test('control: the client names the socket path when the daemon is not running', async () => {
  const path = join(root, 'missing', 'banward.sock');
  await assert.rejects(sendRequest(path, 'ping'), (e: unknown) =>
    expectCode('BANWARD_ERR_DAEMON_UNREACHABLE')(e) && (e as Error).message.includes(path) && /not running/.test((e as Error).message));
});

test('control: the client gives up after its timeout', async () => {
  const { server } = await start({ handler: () => new Promise(() => undefined) });
  await assert.rejects(sendRequest(server.path, 'ping', [], {}, { timeoutMs: 100 }),
    (e: unknown) => expectCode('BANWARD_ERR_DAEMON_UNREACHABLE')(e) && /did not answer 'ping' within 100 ms/.test((e as Error).message));
});

test('control: an idle connection is closed after the idle timeout', async () => {
  const { server } = await start({ idleTimeoutMs: 50 });
  const { ended, lines } = await converse(server.path, '');
  assert.ok(ended);
  assert.deepEqual(lines, []);
});

/** A raw connection that collects what the daemon sends and notices when it closes. */
async function rawConnection(path: string) {
  const socket = createConnection(path);
  const state = { text: '', closed: false };
  socket.on('data', (chunk) => { state.text += chunk.toString(); });
  socket.on('error', () => undefined);
  socket.on('close', () => { state.closed = true; });
  await new Promise((resolve) => socket.once('connect', resolve));
  const replies = () => state.text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: unknown; ok: boolean; result?: unknown; error?: { code: string; message: string } });
  return { socket, state, replies };
}

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('issue 11 defect 1: a result JSON cannot encode (BigInt, cycle) answers that request with an error and the server lives on', async () => {
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  const { server, logged } = await start({
    handler: async (request) => (request.command === 'ping' ? 'pong' : request.args[0] === 'bigint' ? { n: 1n } : cycle),
  });
  const { lines } = await converse(server.path,
    '{"id":1,"command":"get","args":["bigint"]}\n{"id":2,"command":"get","args":["cycle"]}\n{"id":3,"command":"ping"}\n', 3);
  const [first, second, third] = lines.map(parseReply);
  assert.deepEqual([first?.id, first?.ok, first?.error?.code], [1, false, 'BANWARD_ERR_COMMAND']);
  assert.match(first?.error?.message ?? '', /BigInt/);
  assert.deepEqual([second?.id, second?.ok, second?.error?.code], [2, false, 'BANWARD_ERR_COMMAND']);
  assert.deepEqual(third, { id: 3, ok: true, result: 'pong' });
  assert.ok(logged.some((line) => line.includes('ERROR') && line.includes('BigInt')), 'the encoding error is logged');
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('issue 11 defect 2: a client that pipelines requests and never reads stalls its own connection, not the daemon', async () => {
  let answered = 0;
  const big = 'x'.repeat(100_000);
  const { server, logged } = await start({
    writeTimeoutMs: 300,
    handler: async (request) => (request.command === 'ping' ? 'pong' : (answered++, big)),
  });
  const hog = createConnection(server.path);
  hog.on('error', () => undefined);
  hog.pause(); // never reads a reply
  const request = '{"id":1,"command":"get","args":["sshd","failregex"]}\n';
  await new Promise((resolve) => hog.once('connect', resolve));
  hog.write(request.repeat(5000));
  // Other clients are served while the hog's replies pile up in its socket.
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
  await until('the hog dropped', () => hog.destroyed || hog.readableEnded || logged.some((l) => l.includes('replies unread')));
  const unread = logged.filter((l) => l.includes('replies unread'));
  assert.equal(unread.length, 1, 'the stalled client is logged once');
  assert.ok(answered < 5000, `the daemon stopped answering a client that does not read (answered ${answered} of 5000)`);
  hog.destroy();
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('issue 11 defect 11: blank lines do not keep a connection from its idle timeout', async () => {
  const { server } = await start({ idleTimeoutMs: 200 });
  const conn = await rawConnection(server.path);
  const beat = setInterval(() => conn.socket.write('\n'), 40);
  try {
    await until('the idle connection closed', () => conn.state.closed);
  } finally {
    clearInterval(beat);
  }
  assert.deepEqual(conn.replies(), []);
});

test('issue 11 defect 11: a request line must end within the line deadline, however slowly its bytes trickle in', async () => {
  const { server } = await start({ lineTimeoutMs: 200, idleTimeoutMs: 60_000 });
  const conn = await rawConnection(server.path);
  const bytes = '{"id":1,"command":"ping"}';
  let at = 0;
  const drip = setInterval(() => { if (at < bytes.length && !conn.state.closed) conn.socket.write(bytes[at++]!); }, 40);
  try {
    await until('the slow line abandoned', () => conn.state.closed);
  } finally {
    clearInterval(drip);
  }
  const [reply] = conn.replies();
  assert.equal(reply?.id, null);
  assert.equal(reply?.error?.code, 'BANWARD_ERR_PROTOCOL');
  assert.match(reply?.error?.message ?? '', /must end within 200 ms/);
  assert.ok(at < bytes.length, 'the line was abandoned before it was complete');
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
});

test('issue 11 defect 11: a full server closes the connection idle longest for a newcomer', async () => {
  const { server } = await start({ maxConnections: 2 });
  const oldest = await rawConnection(server.path);
  await new Promise((r) => setTimeout(r, 20));
  const newer = await rawConnection(server.path);
  newer.socket.write('{"id":1,"command":"ping"}\n');
  await until('the newer connection answered', () => newer.replies().length === 1);
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
  await until('the oldest idle connection closed', () => oldest.state.closed);
  assert.equal(newer.state.closed, false, 'the connection that was used recently stays');
  newer.socket.destroy();
});

test('issue 11 defect 11: a newcomer is refused only while every connection has a request in progress', async () => {
  let release = () => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const { server } = await start({ maxConnections: 1, handler: async (r) => (r.args[0] === 'wait' ? gate.then(() => 'late') : 'pong') });
  const busy = await rawConnection(server.path);
  busy.socket.write('{"id":1,"command":"status","args":["wait"]}\n');
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(sendRequest(server.path, 'ping'),
    (e: unknown) => expectCode('BANWARD_ERR_PROTOCOL')(e) && /requests in progress/.test((e as Error).message));
  release();
  await until('the busy request answered', () => busy.replies().length === 1);
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
  busy.socket.destroy();
});

test('issue 11 fuzz finding: a client that sends its requests and half-closes still gets every reply', async () => {
  // A reply still being computed when the client shut its side used to be lost (the server ended too).
  const { server } = await start({ handler: async () => { await new Promise((r) => setTimeout(r, 20)); return 'pong'; } });
  const conn = await rawConnection(server.path);
  conn.socket.end('{"id":1,"command":"ping"}\n{"id":2,"command":"ping"}\n{"id":3,"command":"ping"}\n');
  await until('the daemon closed after answering', () => conn.state.closed);
  assert.deepEqual(conn.replies().map((r) => r.id), [1, 2, 3]);
});

test('issue 11 defect 11: clients that leave their replies unread cannot hold every slot', async () => {
  const big = 'x'.repeat(100_000);
  const { server } = await start({ maxConnections: 2, handler: async (r) => (r.command === 'ping' ? 'pong' : big) });
  const hogs = await Promise.all([rawConnection(server.path), rawConnection(server.path)]);
  for (const hog of hogs) {
    hog.socket.pause();
    hog.socket.write('{"id":1,"command":"status"}\n'.repeat(200));
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await sendRequest(server.path, 'ping'), 'pong');
  for (const hog of hogs) hog.socket.resume(); // a paused socket would not notice that it was closed
  await until('a hog closed to make room', () => hogs.some((hog) => hog.state.closed));
  for (const hog of hogs) hog.socket.destroy();
});
