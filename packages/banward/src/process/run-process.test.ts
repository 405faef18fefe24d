import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exitText, runProcess, runScript } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'banward-process-'));

/** Running (a killed process may stay a zombie until init reaps it: that one is over). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether the process ends within a generous deadline (SIGKILL is delivered, not awaited). */
async function ends(pid: number): Promise<boolean> {
  for (let i = 0; i < 1000 && running(pid); i++) await new Promise((r) => setTimeout(r, 10));
  return !running(pid);
}

test('exit status, stdout and stderr come back as they were', async () => {
  const r = await runScript('echo out; echo err >&2; exit 3', { timeoutMs: 10_000 });
  assert.deepEqual(
    { ok: r.ok, started: r.started, code: r.code, signal: r.signal, timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated, reason: r.reason },
    { ok: false, started: true, code: 3, signal: null, timedOut: false, stdout: 'out\n', stderr: 'err\n', truncated: false, reason: null },
  );
  assert.equal(exitText(r), 'exit status 3');
  assert.equal((await runProcess('true', [], { timeoutMs: 10_000 })).ok, true);
});

test('a command killed by a signal reports the signal', async () => {
  const r = await runScript('kill -SEGV $$', { timeoutMs: 10_000 });
  assert.equal(r.code, null);
  assert.equal(r.signal, 'SIGSEGV');
  assert.equal(exitText(r), 'killed by SIGSEGV');
});

test('input reaches stdin, and env is added to the environment', async () => {
  const r = await runProcess('cat', [], { input: 'line 1\nline 2\n', timeoutMs: 10_000 });
  assert.equal(r.stdout, 'line 1\nline 2\n');
  const e = await runScript('printf %s "$BANWARD_TEST_VALUE"; printf %s "$PATH" >&2', { env: { BANWARD_TEST_VALUE: '$(id) `x`' }, timeoutMs: 10_000 });
  assert.equal(e.stdout, '$(id) `x`');
  assert.equal(e.stderr, process.env.PATH, 'the daemon environment is kept');
  const closed = await runProcess('cat', [], { timeoutMs: 10_000 });
  assert.deepEqual([closed.ok, closed.stdout], [true, ''], 'without input, stdin is at its end at once');
});

test('a program that does not exist is a result with status 127, not a throw', async () => {
  const r = await runProcess(join(dir, 'no-such-tool'), ['x'], { timeoutMs: 10_000 });
  assert.equal(r.ok, false);
  assert.equal(r.started, false);
  assert.equal(r.code, 127);
  assert.match(exitText(r), /cannot run .*no-such-tool: not found/);
  const nul = await runProcess('echo', ['a\0b'], { timeoutMs: 10_000 });
  assert.equal(nul.started, false, 'an argument spawn refuses is a result too');
  assert.equal(nul.code, 126);
});

test('a timeout kills the whole process group: the command and the child it put in the background', async () => {
  const pids = join(dir, 'pids');
  const r = await runScript(`sleep 1000 & echo $! > ${pids}; echo $$ >> ${pids}; wait`, { timeoutMs: 1500 });
  assert.equal(r.timedOut, true);
  assert.equal(r.ok, false);
  assert.equal(r.signal, 'SIGTERM');
  assert.equal(exitText(r), 'timed out after 1.5 s');
  const [child, shell] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
  assert.equal(await ends(shell!), true, 'the shell is gone');
  assert.equal(await ends(child!), true, 'its backgrounded sleep is gone');
});

test('a command that ignores SIGTERM is killed after the grace', async () => {
  const r = await runScript(`trap '' TERM; while :; do sleep 0.05; done`, { timeoutMs: 1000, killGraceMs: 200 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, 'SIGKILL');
});

test('output is capped: the first and last bytes are kept and the cut says so', async () => {
  const limit = 4096;
  const r = await runScript('printf BEGIN; head -c 8000000 /dev/zero | tr "\\0" x; printf END; printf small >&2', { timeoutMs: 60_000, maxOutput: limit });
  assert.equal(r.ok, true);
  assert.equal(r.truncated, true);
  assert.ok(r.stdout.startsWith('BEGINxxx'));
  assert.ok(r.stdout.endsWith('xxxEND'));
  assert.match(r.stdout, /\n\[… 7995912 bytes left out …\]\n/);
  assert.equal(r.stdout.replace(/\n\[…[^\]]*\]\n/, '').length, limit);
  assert.equal(r.stderr, 'small', 'each stream has its own cap');
});

test('a command that exits while a child it left holds the pipes still returns', async () => {
  const pid = join(dir, 'left.pid');
  const r = await runScript(`(sleep 1000 & echo $! > ${pid}); echo done`, { timeoutMs: 60_000 });
  assert.equal(r.ok, true);
  assert.equal(r.stdout, 'done\n');
  process.kill(Number(readFileSync(pid, 'utf8')));
});
