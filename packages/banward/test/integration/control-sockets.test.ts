import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sendRequest } from '../../src/control/index.js';
import { startWebLoginDaemon } from './_control-daemon.js';
import { stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';
import { exchange, openDescriptors, openRaw, residentKiB } from './_raw-socket.js';

/** A filter whose `get JAIL failregex` reply is large (~16 KB), so unread replies add up fast. */
const BIG_FILTER = '[Definition]\nfailregex = ' + Array.from({ length: 64 }, (_, i) => `^login failed #${i} ${'x'.repeat(200)} from <HOST>$`).join('\n            ') + '\n';


const running: DaemonHarness[] = [];
after(async () => {
  for (const h of running) await stopDaemon(h);
});

async function daemon(extra: string[] = []): Promise<DaemonHarness> {
  const h = await startWebLoginDaemon('big', { big: BIG_FILTER }, extra);
  running.push(h);
  return h;
}

function alive(h: DaemonHarness): boolean {
  return h.process !== null && h.process.exitCode === null && h.process.signalCode === null;
}

const HOSTILE_NAMES = ['constructor', '__proto__', 'valueOf', 'toString', 'hasOwnProperty', '__defineGetter__', 'prototype', 'isPrototypeOf'];

describe('control sockets of a real daemon', () => {
  it('issue 11 defect 1: get JAIL <inherited name> on app.sock is refused and the daemon survives each', async () => {
    const h = await daemon();
    for (const name of HOSTILE_NAMES) {
      const [reply, ...rest] = await exchange(h.appSocket, JSON.stringify({ id: 1, command: 'get', args: ['web-login', name] }) + '\n');
      assert.equal(rest.length, 0);
      assert.equal(reply?.ok, false, name);
      assert.equal(reply?.error?.code, 'BANWARD_ERR_COMMAND', name);
      assert.match(reply?.error?.message ?? '', /expected banip/, name);
      assert.equal(await sendRequest(h.appSocket, 'ping'), 'pong', `ping after ${name}`);
      const [status] = await exchange(h.appSocket, JSON.stringify({ id: 2, command: 'status', args: [name] }) + '\n');
      assert.equal(status?.error?.code, 'BANWARD_ERR_COMMAND', `status ${name}`);
    }
    assert.ok(alive(h));
    assert.doesNotMatch(h.output.join(''), /internal error|TypeError|\n\s+at /, 'no stack traces');
  });

  it('issue 11 defect 11b: {"command":"ping","command":"stop"} on the admin socket is refused and the daemon keeps running', async () => {
    const h = await daemon();
    const replies = await exchange(h.socket, '{"id":1,"command":"ping","command":"stop"}\n{"id":2,"command":"ping","options":{"a":1,"a":2}}\n');
    assert.deepEqual(replies.map((r) => [r.id, r.ok, r.error?.code]), [[1, false, 'BANWARD_ERR_PROTOCOL'], [2, false, 'BANWARD_ERR_PROTOCOL']]);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(alive(h));
    assert.equal(await sendRequest(h.socket, 'ping'), 'pong');
  });

  it('issue 11 defect 2: a client pipelining get failregex without reading keeps the daemon\'s memory bounded', async () => {
    const h = await daemon();
    const pid = h.process!.pid!;
    const before = residentKiB(pid);
    const descriptorsBefore = openDescriptors(pid);
    const hog = await openRaw(h.appSocket);
    hog.socket.pause(); // never reads a reply
    const request = Buffer.from('{"id":1,"command":"get","args":["web-login","failregex"]}\n'.repeat(1000));
    let sent = 0;
    const stopAt = Date.now() + 3000;
    // The hog writes as fast as the daemon takes its bytes, for a few seconds.
    while (Date.now() < stopAt && !hog.isClosed()) {
      if (!hog.socket.write(request)) {
        await Promise.race([new Promise((r) => hog.socket.once('drain', r)), new Promise((r) => setTimeout(r, 100))]);
      } else {
        sent += 1000;
        await new Promise((r) => setImmediate(r));
      }
    }
    const during = residentKiB(pid);
    assert.equal(await sendRequest(h.appSocket, 'ping'), 'pong', 'another connection is served meanwhile');
    // Without backpressure each request queues ~16 KB of reply: thousands of them are hundreds of MB.
    assert.ok(during - before < 100 * 1024, `RSS grew from ${before} to ${during} KiB while ${sent} requests were sent unread`);
    hog.socket.destroy();
    await hog.closed;
    await waitFor('the daemon to release the hog\'s connection', () => openDescriptors(pid) <= descriptorsBefore);
    assert.ok(residentKiB(pid) - before < 100 * 1024);
    assert.ok(alive(h));
  });

  it('issue 11 defect 12: --log-target FILE creates the log file 0640', async () => {
    const logFile = join(tmpdir(), `banward-log-${process.pid}.log`);
    after(() => rmSync(logFile, { force: true }));
    await daemon(['--log-target', logFile]);
    assert.equal(statSync(logFile).mode & 0o777, 0o640);
    assert.match(readFileSync(logFile, 'utf8'), /Server ready/);
  });
});
