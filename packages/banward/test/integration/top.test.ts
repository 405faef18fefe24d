import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { sendRequest, watchDaemon } from '../../src/control/index.js';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { client, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';

/** `banward top` against a real daemon, and the daemon against watchers that never read. */
const h: DaemonHarness = makeDaemonDirs(`[test]
enabled = true
filter = test
logpath = $DIR/app.log
maxretry = 3
action = log[path=$DIR/actions.log]
`);

before(async () => {
  writeFileSync(h.log, '');
  await startDaemon(h);
});
after(() => stopDaemon(h));

/** `banward top ARGS` as a child process with its stdout collected (a pipe: not a terminal). */
function top(...args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [BANWARD_BIN, '--socket', h.socket, 'top', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return { child, stdout: () => out, stderr: () => err };
}

let probes = 0;
/** Writes failures of fresh addresses until `seen` shows one: from then on the watcher is subscribed. */
async function untilWatching(seen: (ip: string) => boolean): Promise<void> {
  await waitFor('the watcher to see a failure', () => {
    const ip = `198.51.100.${++probes}`;
    appendFileSync(h.log, failureLine(ip));
    return waitFor(`the failure of ${ip}`, () => seen(ip), 1000).then(() => true, () => false);
  });
}

it('banward top --json prints the daemon\'s events as JSON lines: failures written to its log end in a ban line', async () => {
  const t = top('--json');
  const events = () => t.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  await untilWatching((ip) => events().some((e) => e['type'] === 'found' && e['ip'] === ip));
  for (let i = 0; i < 3; i++) appendFileSync(h.log, failureLine('203.0.113.7'));
  const ban = await waitFor('the ban line', () => events().find((e) => e['type'] === 'ban' && e['ip'] === '203.0.113.7'));
  assert.equal(ban['jail'], 'test');
  assert.equal(ban['failures'], 3);
  const found = events().filter((e) => e['type'] === 'found' && e['ip'] === '203.0.113.7');
  assert.equal(found.length, 3);
  assert.match(String((found[0]!['lines'] as string[])[0]), /login failed from 203\.0\.113\.7$/);
  t.child.kill('SIGTERM');
  const [code] = await once(t.child, 'exit') as [number | null];
  assert.equal(code, 0, t.stderr());
});

it('banward top off a terminal prints plain lines, an escape sequence in a logged user name escaped', async () => {
  const t = top();
  await untilWatching((ip) => t.stdout().includes(` found test ${ip}  `));
  const now = failureLine('203.0.113.8').replace('login failed', 'login failed for \x1b[2J\x1b[Hroot\x1b]0;x\x07');
  appendFileSync(h.log, now);
  const line = await waitFor('the hostile failure', () => t.stdout().split('\n').find((l) => l.includes('203.0.113.8')));
  assert.ok(line.includes('login failed for \\x1b[2J\\x1b[Hroot\\x1b]0;x\\x07 from 203.0.113.8'), line);
  assert.doesNotMatch(t.stdout(), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u, 'no raw control character reaches the terminal');
  t.child.kill('SIGINT');
  const [code] = await once(t.child, 'exit') as [number | null];
  assert.equal(code, 0, t.stderr());
});

it('banward top --once prints each jail\'s counters; watch is refused on the app socket', async () => {
  const r = client(h, 'top', '--once');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^JAIL +FAILED +BANNED +TOTAL BANNED +ENFORCED\ntest +\d+ +1 +1 +NO: its actions only record or notify \(log\)\n$/);
  await assert.rejects(watchDaemon(h.appSocket, () => undefined), (error: unknown) => (error as { code?: string }).code === 'BANWARD_ERR_NOT_PERMITTED');
});

it('the daemon survives watchers that never read: each is dropped past its backlog, a reading watcher gets every event, the 17th is refused', async () => {
  const healthy: Array<Record<string, unknown>> = [];
  const watch = await watchDaemon(h.socket, (event) => healthy.push(event as Record<string, unknown>));
  const stalled: Socket[] = [];
  for (let i = 0; i < 15; i++) {
    const socket = createConnection(h.socket);
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.pause();
    socket.write('{"id":1,"command":"watch"}\n');
    stalled.push(socket);
  }
  after(() => { for (const socket of stalled) socket.destroy(); });
  await waitFor('the 17th watch refused', () =>
    watchDaemon(h.socket, () => undefined).then((w) => { w.close(); return false; }, (error: Error) => /already streams to 16 clients/.test(error.message)));
  const dropped = () => h.output.join('').split('bytes of streamed lines unread').length - 1;
  let readerEnded: Error | null = null;
  watch.ended.then(() => undefined, (error: Error) => { readerEnded = error; });
  const foundAtReader = () => {
    if (readerEnded) throw new Error(`the reading watcher was dropped: ${readerEnded.message}`);
    return healthy.filter((e) => e['type'] === 'found' && String(e['ip']).startsWith('10.')).length;
  };
  const user = 'u'.repeat(2000);
  let written = 0;
  // The next batch waits for the reader to have the last one, so a reader slowed by a busy machine is never
  // more than one batch (~400 kB) behind, while the stalled watchers' backlogs only grow.
  await waitFor('every stalled watcher dropped', () => {
    if (dropped() === 15) return true;
    if (foundAtReader() < written) return false;
    const batch: string[] = [];
    for (let i = 0; i < 200; i++) batch.push(failureLine(`10.${(written >> 16) & 255}.${(written >> 8) & 255}.${written++ & 255}`).replace('login failed', `login failed for ${user}`));
    appendFileSync(h.log, batch.join(''));
    return false;
  }, 120_000);
  assert.ok(written * 2000 > 1024 * 1024, 'dropped only past the 1 MiB bound');
  await waitFor('every failure at the reading watcher', () => foundAtReader() === written, 60_000);
  assert.equal(await sendRequest(h.socket, 'ping'), 'pong');
  // The dropped watchers' slots are free again.
  const again = await watchDaemon(h.socket, () => undefined);
  again.close();
  watch.close();
});

/** `banward top` on a terminal: util-linux `script` gives it a pseudo-terminal of 100x30. */
function topOnTerminal(): { child: ChildProcess; output: () => string } {
  const command = `stty rows 30 cols 100; exec ${process.execPath} ${BANWARD_BIN} --socket ${h.socket} top`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return { child, output: () => output };
}

const ENTER_SCREEN = '\x1b[?1049h';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';

it('banward top on a terminal draws the jails and the feed on the alternate screen and restores the screen on q', async () => {
  const t = topOnTerminal();
  await waitFor('the first frame with the jail', () => /test +\d+ +\d+ +\d+ +NO:/.test(t.output()));
  assert.ok(t.output().startsWith(ENTER_SCREEN), 'the alternate screen first');
  const ip = '203.0.113.20';
  await waitFor('the failure in the feed', () => {
    appendFileSync(h.log, failureLine(ip));
    return waitFor('a redraw', () => t.output().includes(`test  ${ip}  `) || t.output().includes(`the last from ${ip}`), 1500).then(() => true, () => false);
  });
  t.child.stdin!.write('q');
  const [code] = await once(t.child, 'exit') as [number | null];
  assert.equal(code, 0);
  assert.ok(t.output().trimEnd().endsWith(LEAVE_SCREEN), 'the screen and cursor restored last');
});

it('banward top on a terminal restores the screen on SIGTERM', async () => {
  const t = topOnTerminal();
  await waitFor('the first frame', () => t.output().includes('EVENTS (newest first)'));
  // script's child: the shell exec'd into banward top.
  const pid = Number(readFileSync(`/proc/${t.child.pid}/task/${t.child.pid}/children`, 'utf8').trim().split(' ')[0]);
  process.kill(pid, 'SIGTERM');
  const [code] = await once(t.child, 'exit') as [number | null];
  assert.equal(code, 0);
  assert.ok(t.output().trimEnd().endsWith(LEAVE_SCREEN), 'the screen and cursor restored last');
});
