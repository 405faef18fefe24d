import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { formatFailureLine } from './log-line.js';
import { withBanward } from '../node/index.js';
import { serve } from '../../test/http.js';

const BANWARD_BIN = fileURLToPath(new URL('../../../../banward/bin/banward.js', import.meta.url));
const TIME = Date.parse('2026-11-22T10:00:01.123Z');

test('the log line has the documented format', () => {
  assert.equal(formatFailureLine(TIME, '203.0.113.5', 'bob', '/login'),
    '2026-11-22T10:00:01.123Z banward-web: login failed ip=203.0.113.5 user="bob" route="/login"');
  assert.equal(formatFailureLine(TIME, '2001:db8::5', undefined, '/a"b\\c'),
    '2026-11-22T10:00:01.123Z banward-web: login failed ip=2001:db8::5 user="" route="/a\\"b\\\\c"');
  assert.equal(formatFailureLine(TIME, '203.0.113.5', 'x\ny\r\u0000\u2028', '/'),
    '2026-11-22T10:00:01.123Z banward-web: login failed ip=203.0.113.5 user="x\\ny\\r\\u0000\\u2028" route="/"');
});

const USERS = ['bob', 'x" ip=198.51.100.1 route="/login', 'x\n2026-11-22T10:00:04.000Z banward-web: login failed ip=198.51.100.1 user="y', 'back\\slash', 'ünï😀'];

test("banward's banward-web filter reads the lines the package writes, with the right ip and user", async () => {
  const lines: string[] = [];
  const server = await serve(withBanward({ lockout: false, trustProxy: ['loopback'], log: (l) => lines.push(l) }, (req, res) => {
    // With lockout off, fail() writes the line before it returns; its promise only carries Retry-After.
    void req.banward.fail({ username: decodeURIComponent(req.headers['x-user'] as string) });
    res.statusCode = 401;
    res.end();
  }));
  const dir = await mkdtemp(join(tmpdir(), 'banward-web-'));
  try {
    const clients = ['203.0.113.5', '2001:db8::5', '::ffff:203.0.113.6', '203.0.113.7', '203.0.113.8'];
    for (const [i, user] of USERS.entries()) {
      await fetch(`${server.url}/login`, { method: 'POST', headers: { 'X-Forwarded-For': clients[i]!, 'X-User': encodeURIComponent(user) } });
    }
    assert.equal(lines.length, USERS.length);
    const log = join(dir, 'web.log');
    await writeFile(log, lines.map((l) => `${l}\n`).join(''));
    const { stdout } = await promisify(execFile)(process.execPath, [BANWARD_BIN, 'regex', '--json', log, 'banward-web']);
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const matched = results.filter((r) => r['result'] === 'matched');
    assert.deepEqual(matched.map((r) => r['host']), ['203.0.113.5', '2001:db8::5', '203.0.113.6', '203.0.113.7', '203.0.113.8']);
    // The filter captures the user as written: unescaping \" \\ \n gives back what the client typed.
    const unescape = (s: string) => JSON.parse(`"${s}"`) as string;
    assert.deepEqual(matched.map((r) => unescape((r['captures'] as { user: string }).user)), USERS);
    assert.equal((results.at(-1) as { summary: { missed: number } }).summary.missed, 0);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
