import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ReplyStream, type ControlRequest, type DaemonEvent } from '../control/index.js';
import { fakeControl } from '../../test/_fake-daemon-control.js';
import { handleAppRequest, handleRequest } from './control-handlers.js';

const request = (command: string, args: string[] = [], options: ControlRequest['options'] = {}): ControlRequest =>
  ({ id: 1, command, args, options }) as ControlRequest;

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e as { code: string; message: string });
  return { code: error.code, message: error.message };
}

test('ping, version and status answer from the control alone', async () => {
  const { control } = fakeControl();
  assert.equal(await handleRequest(control, request('ping')), 'pong');
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.deepEqual(await handleRequest(control, request('version')), { version: pkg.version });
  assert.deepEqual(await handleRequest(control, request('status')), { jails: ['sshd', 'web-login'] });
  assert.deepEqual(await handleRequest(control, request('status', ['sshd'])), control.jailStatus('sshd'));
  assert.deepEqual(await handleRequest(control, request('test-config')), { ok: true, jails: ['sshd', 'web-login'] });
  assert.deepEqual(await handleRequest(control, request('dump-config')), { jails: { sshd: { name: 'sshd' }, 'web-login': { name: 'web-login' } } });
});

test('an unknown jail is the error reported, before the command\'s other arguments are looked at', async () => {
  const { control, calls } = fakeControl();
  const unknown = { code: 'BANWARD_ERR_COMMAND', message: "no jail named 'ssh' (see banward status)" };
  for (const args of [['status', 'ssh'], ['get', 'ssh', 'nonsense'], ['set', 'ssh', 'nonsense'], ['report', 'ssh', 'not an address']]) {
    const [command = '', ...rest] = args;
    assert.deepEqual(await refusal(handleRequest(control, request(command, rest))), unknown, args.join(' '));
  }
  assert.deepEqual(await refusal(handleRequest(control, request('get', []))), { ...unknown, message: "no jail named '' (see banward status)" });
  assert.deepEqual(calls, []);
});

test('set bans, unbans and edits ignoreip through the control; a refused ban names the target and what it overlaps', async () => {
  const { control, calls } = fakeControl();
  assert.deepEqual(await handleRequest(control, request('set', ['sshd', 'banip', '198.51.100.7', '198.51.100.0/24'])), { banned: 2 });
  assert.deepEqual(await refusal(handleRequest(control, request('set', ['sshd', 'banip', '198.51.100.7', '0.0.0.0/1']))), {
    code: 'BANWARD_ERR_BAN_REFUSED',
    message: 'set sshd banip 0.0.0.0/1: it overlaps 127.0.0.1 (this host), never banned; nothing was banned',
  });
  assert.deepEqual(await handleRequest(control, request('set', ['sshd', 'unbanip', '198.51.100.7'])), { unbanned: 1 });
  assert.deepEqual(await handleRequest(control, request('set', ['sshd', 'addignoreip', '10.0.0.0/8'])), { ignoreip: ['127.0.0.1/8', '10.0.0.0/8'] });
  assert.deepEqual(await handleRequest(control, request('set', ['sshd', 'delignoreip', '127.0.0.1/8'])), { ignoreip: [] });
  assert.deepEqual(await refusal(handleRequest(control, request('set', ['sshd', 'bantime', '60']))), {
    code: 'BANWARD_ERR_COMMAND', message: 'set sshd bantime: expected banip, unbanip, addignoreip or delignoreip',
  });
  assert.deepEqual(calls, [
    ['ban', 'sshd', ['198.51.100.7', '198.51.100.0/24']],
    ['ban', 'sshd', ['198.51.100.7', '0.0.0.0/1']],
    ['unban', 'sshd', ['198.51.100.7']],
    ['addIgnore', 'sshd', ['10.0.0.0/8']],
    ['removeIgnore', 'sshd', ['127.0.0.1/8']],
  ]);
});

test('get banip lists addresses, or with withTime their times without the jail; get reads only the named options', async () => {
  const { control } = fakeControl();
  assert.deepEqual(await handleRequest(control, request('get', ['sshd', 'banip'])), ['203.0.113.5', '2001:db8::/64']);
  const timed = await handleRequest(control, request('get', ['sshd', 'banip'], { withTime: true }));
  assert.equal(JSON.stringify(timed), JSON.stringify([
    { ip: '203.0.113.5', time: 1000, bantime: 600, expires: 1600 },
    { ip: '2001:db8::/64', time: 1200, bantime: 600, expires: 1800 },
  ]));
  assert.equal(await handleRequest(control, request('get', ['sshd', 'maxretry'])), 5);
  for (const name of ['constructor', '__proto__', 'nonsense']) {
    assert.deepEqual(await refusal(handleRequest(control, request('get', ['sshd', name]))), {
      code: 'BANWARD_ERR_COMMAND', message: 'get sshd: expected banip, findtime, bantime, maxretry, logpath, ignoreip, failregex',
    });
  }
});

test('unban lifts the named addresses everywhere, or with all every ban; banned groups the bans by address', async () => {
  const { control, calls } = fakeControl();
  assert.deepEqual(await handleRequest(control, request('unban', ['203.0.113.5', '::ffff:198.51.100.1'])), { unbanned: 2 });
  assert.deepEqual(await handleRequest(control, request('unban', [], { all: true })), { unbanned: 3 });
  assert.deepEqual(await handleRequest(control, request('banned', ['203.0.113.5'])), [
    { ip: '203.0.113.5', jails: ['sshd', 'web-login'] },
    { ip: '2001:db8::/64', jails: ['sshd'] },
  ]);
  assert.deepEqual(calls, [
    ['unbanEverywhere', ['203.0.113.5', '::ffff:198.51.100.1']],
    ['unbanEverywhere', 'all'],
    ['activeBans', undefined, ['203.0.113.5']],
  ]);
});

test('report takes one host address in canonical form and answers the ban that covers it', async () => {
  const { control, calls } = fakeControl();
  assert.deepEqual(await handleRequest(control, request('report', ['web-login', '2001:DB8:0::5'], { user: 'alice', time: 1300 })), {
    accepted: true, ban: { ip: '2001:db8::5', time: 1300, bantime: 600, expires: 1900 },
  });
  assert.deepEqual(await handleRequest(control, request('report', ['sshd', '::ffff:203.0.113.9'])), { accepted: true, ban: null });
  assert.deepEqual(calls, [['report', 'web-login', '2001:db8::5', { user: 'alice', time: 1300 }], ['report', 'sshd', '203.0.113.9', {}]]);
  for (const address of ['203.0.113.5/32', '0.0.0.0/1', 'example.org', '']) {
    assert.deepEqual(await refusal(handleRequest(control, request('report', ['web-login', address]))), {
      code: 'BANWARD_ERR_COMMAND',
      message: `report takes one IPv4 or IPv6 host address, not ${JSON.stringify(address)} (no networks, prefixes or host names)`,
    });
  }
  assert.deepEqual(await refusal(handleRequest(control, request('report', ['web-login', '203.0.113.5'], { time: 'soon' }))), {
    code: 'BANWARD_ERR_COMMAND', message: 'report: --time must be epoch seconds, not soon',
  });
});

test('reload passes its options as booleans; stop asks the control to stop and answers null', async () => {
  const { control, calls } = fakeControl();
  assert.deepEqual(await handleRequest(control, request('reload', ['sshd'], { restart: true, unban: 'yes' })), { reloaded: ['sshd'] });
  assert.deepEqual(await handleRequest(control, request('reload')), { reloaded: ['sshd'] });
  assert.equal(await handleRequest(control, request('stop')), null);
  assert.deepEqual(calls, [['reload', 'sshd', { restart: true, unban: false }], ['reload', undefined, { restart: false, unban: false }], ['stop']]);
});

test('while the jails start, reads answer at once and commands that change things wait for the start', async () => {
  let finishStart = (): void => undefined;
  const { control, calls } = fakeControl({ started: new Promise<void>((resolve) => { finishStart = resolve; }) });
  assert.deepEqual(await handleRequest(control, request('status', ['sshd'])), control.jailStatus('sshd'));
  assert.deepEqual(await handleRequest(control, request('banned')), [
    { ip: '203.0.113.5', jails: ['sshd', 'web-login'] }, { ip: '2001:db8::/64', jails: ['sshd'] },
  ]);
  const unban = handleRequest(control, request('unban', ['203.0.113.5']));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [['activeBans', undefined, []]]);
  finishStart();
  assert.deepEqual(await unban, { unbanned: 1 });
});

test('the app socket serves reads and reports into app jails only', async () => {
  const { control, calls } = fakeControl();
  for (const command of ['stop', 'reload', 'set', 'unban', 'test-config', 'dump-config', 'watch']) {
    assert.deepEqual(await refusal(handleAppRequest(control, request(command, ['sshd', 'banip', '203.0.113.5']))), {
      code: 'BANWARD_ERR_NOT_PERMITTED',
      message: `'${command}' is not allowed on the app socket (it serves ping, version, status, get, banned, report); use the admin socket`,
    });
  }
  assert.deepEqual(await refusal(handleAppRequest(control, request('report', ['sshd', '203.0.113.5']))), {
    code: 'BANWARD_ERR_NOT_PERMITTED',
    message: "jail 'sshd' reads its own logs and does not take reports from apps (set appreports = true in it, or report into a jail without a filter)",
  });
  assert.deepEqual(await refusal(handleAppRequest(control, request('report', ['nope', '203.0.113.5']))), {
    code: 'BANWARD_ERR_COMMAND', message: "no jail named 'nope' (see banward status)",
  });
  assert.equal(((await handleAppRequest(control, request('report', ['web-login', '203.0.113.5']))) as { accepted: boolean }).accepted, true);
  assert.deepEqual(await handleAppRequest(control, request('get', ['sshd', 'banip'])), ['203.0.113.5', '2001:db8::/64']);
  assert.deepEqual(calls.map((c) => c[0]), ['report', 'activeBans']);
});

test('watch answers the jails and streams the control\'s events, subscribed while the stream runs, even while the jails start', async () => {
  const listeners = new Set<(event: DaemonEvent) => void>();
  const { control } = fakeControl({
    started: new Promise(() => undefined),
    subscribe: (listener) => { listeners.add(listener); return () => { listeners.delete(listener); }; },
  });
  const stream = await handleRequest(control, request('watch'));
  assert.ok(stream instanceof ReplyStream);
  assert.deepEqual(stream.result, { jails: ['sshd', 'web-login'] });
  assert.equal(listeners.size, 0, 'nothing is subscribed before the connection starts the stream');
  const sent: unknown[] = [];
  const stop = stream.start((value) => sent.push(value));
  const event: DaemonEvent = { type: 'reload', jails: ['sshd'], time: 1000 };
  for (const listener of listeners) listener(event);
  assert.deepEqual(sent, [event]);
  stop();
  assert.equal(listeners.size, 0);
});
