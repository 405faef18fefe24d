import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SocketReporter } from './socket-reporter.js';
import { withBanward } from '../node/index.js';
import { serve } from '../../test/http.js';

/** A fake daemon: records each request line and answers it as banward's `report` does. */
async function fakeDaemon(path: string) {
  const requests: Record<string, unknown>[] = [];
  const server: Server = createServer((conn) => {
    let buffer = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const request = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
        buffer = buffer.slice(nl + 1);
        requests.push(request);
        conn.write(`${JSON.stringify({ id: request['id'], ok: true, result: { accepted: true } })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('failures are reported to the daemon socket in the protocol of docs/protocol.md', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'banward-web-sock-'));
  const socket = join(dir, 'banward.sock');
  const daemon = await fakeDaemon(socket);
  const listener = withBanward({ jail: 'web-login', socket, lockout: false, clock: () => 1_795_341_601_500 }, (req, res) => {
    // With lockout off, fail() queues the report before it returns; its promise only carries Retry-After.
    void req.banward.fail({ username: 'bob' });
    res.statusCode = 401;
    res.end();
  });
  const server = await serve(listener);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(server.url, { method: 'POST' })).status, 401);
    await listener.guard.flush();
    assert.deepEqual(daemon.requests, [1, 2, 3].map((id) => ({
      id, command: 'report', args: ['web-login', '127.0.0.1'], options: { user: 'bob', time: 1_795_341_601.5 },
    })));
    assert.deepEqual(listener.guard.reporterStats, { queued: 0, sent: 3, accepted: 3, rejected: 0, dropped: 0, errors: 0 });
  } finally {
    await server.close();
    await listener.guard.close();
    await daemon.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('with the daemon down, reports wait in a bounded queue (oldest dropped) and go out once it is back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'banward-web-sock-'));
  const socket = join(dir, 'banward.sock');
  const reporter = new SocketReporter({ socketPath: socket, jail: 'web-login', maxQueue: 2, batchDelayMs: 0, timeoutMs: 1000 });
  try {
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) reporter.enqueue({ ip, username: undefined, time: 1 });
    await reporter.flush();
    assert.deepEqual({ ...reporter.stats }, { queued: 2, sent: 2, accepted: 0, rejected: 0, dropped: 1, errors: 1 });
    const daemon = await fakeDaemon(socket);
    try {
      await reporter.flush();
      assert.deepEqual(daemon.requests.map((r) => (r['args'] as string[])[1]), ['203.0.113.2', '203.0.113.3']);
      assert.deepEqual(daemon.requests[0]!['options'], { time: 1 });
      assert.equal(reporter.stats.queued, 0);
    } finally {
      await reporter.close();
      await daemon.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
