import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ActiveBan, DaemonControl, DaemonEvent, IpStory, TopOffenders } from '../control/index.js';
import { createLogger } from '../log/logger.js';
import { fakeControl } from '../../test/_fake-daemon-control.js';
import { buildHttpApp, type HttpAppDependencies } from './http-app.js';
import type { HttpSettings } from './http-settings.js';

const READ = 'read-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const SETTINGS: HttpSettings = {
  listen: { kind: 'tcp', host: '127.0.0.1', port: 9191, loopback: true },
  readTokenDigest: digest(READ), adminTokenDigest: digest(ADMIN), metricsPublic: false, jail: 'web-login', trustedProxies: [],
};
const EMPTY_DIR = join(tmpdir(), 'banward-no-dashboard-here');

function appWith(overrides: Partial<DaemonControl> = {}, deps: Partial<HttpAppDependencies> = {}) {
  const logged: string[] = [];
  const { control, calls } = fakeControl(overrides);
  // The fake's activeBans ignores `covering`; the HTTP layer's ban check needs it honoured.
  const allBans = control.activeBans.bind(control);
  if (!overrides.activeBans) control.activeBans = (filter = {}) => allBans(filter).filter((b) => !filter.covering || filter.covering.includes(b.ip));
  const app = buildHttpApp({
    control, settings: SETTINGS, clock: () => 50_000, log: createLogger({ level: 'debug', write: (line) => logged.push(line) }),
    dashboardDir: EMPTY_DIR, ...deps,
  });
  return { app, calls, logged };
}
interface ErrorBody { code: string; message: string }
interface JailBody { lastDay: unknown; settings: unknown; enforced: boolean }
interface BansBody { total: number; offset: number; limit: number; bans: ActiveBan[] }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('GET /healthz answers without a token; every response carries the security headers', async () => {
  const { app } = appWith();
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
  for (const url of ['/healthz', '/api/v1/jails', '/nowhere', '/']) {
    const r = await app.inject({ method: 'GET', url });
    assert.match(String(r.headers['content-security-policy']), /default-src 'none'; script-src 'self'.*frame-ancestors 'none'/, url);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(r.headers['referrer-policy'], 'no-referrer', url);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/jails', headers: bearer(READ) })).headers['cache-control'], 'no-store');
});

test('auth: no token 401, wrong token 401 (each reported into the HTTP jail), read token on an admin route 403', async () => {
  const { app, calls } = appWith();
  const none = await app.inject({ method: 'GET', url: '/api/v1/jails' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json<ErrorBody>().code, 'BANWARD_ERR_HTTP_AUTH');
  for (const authorization of ['Bearer wrong', `Bearer ${READ}x`, `Basic ${READ}`, `Bearer ${READ.slice(0, -1)}`, 'Bearer']) {
    const res = await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization } });
    assert.equal(res.statusCode, 401, authorization);
  }
  assert.equal(calls.filter((c) => c[0] === 'report').length, 6);
  assert.deepEqual(calls.find((c) => c[0] === 'report'), ['report', 'web-login', '127.0.0.1', undefined]);
  const forbidden = await app.inject({ method: 'DELETE', url: '/api/v1/bans/203.0.113.5', headers: bearer(READ) });
  assert.equal(forbidden.statusCode, 403);
  assert.equal(forbidden.json<ErrorBody>().code, 'BANWARD_ERR_HTTP_FORBIDDEN');
  assert.ok(!calls.some((c) => c[0] === 'unbanEverywhere'), 'a read token changes nothing');
  assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(READ) })).json(), { role: 'read' });
  assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(ADMIN) })).json(), { role: 'admin' });
});

test('a client banned in the HTTP jail gets 403 even with the right token', async () => {
  const { app } = appWith({ activeBans: ({ jail } = {}) => (jail === 'web-login' ? [{ jail, ip: '127.0.0.1', time: 1, bantime: 60, expires: 61, banCount: 1 }] : []) });
  const res = await app.inject({ method: 'GET', url: '/api/v1/whoami', headers: bearer(ADMIN) });
  assert.equal(res.statusCode, 403);
  assert.match(res.json<ErrorBody>().message, /banned in web-login/);
});

test('without the HTTP jail, failed logins are warned about once, never silently dropped', async () => {
  const { app, logged } = appWith({}, { settings: { ...SETTINGS, jail: 'banward-http' } });
  for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: 'GET', url: '/api/v1/jails' })).statusCode, 401);
  assert.equal(logged.filter((l) => l.includes('BANWARD_W_HTTP_UNCOUNTED')).length, 1);
});

test('jails, bans and ignore lists read and change through DaemonControl', async () => {
  const { app, calls } = appWith();
  const jails = (await app.inject({ method: 'GET', url: '/api/v1/jails', headers: bearer(READ) })).json<{ jails: JailBody[] }>();
  assert.equal(jails.jails.length, 2);
  assert.deepEqual(jails.jails[0]?.lastDay, { failures: 3, bans: 1 });
  assert.deepEqual(jails.jails[0]?.settings, { findtime: ['x'], bantime: ['x'], maxretry: 5 });
  assert.equal(jails.jails[0]?.enforced, true);
  const unknown = await app.inject({ method: 'GET', url: '/api/v1/jails/nope', headers: bearer(READ) });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json<ErrorBody>().code, 'BANWARD_ERR_COMMAND');
  const bans = (await app.inject({ method: 'GET', url: '/api/v1/bans?jail=sshd&limit=1&offset=1', headers: bearer(READ) })).json<BansBody>();
  assert.deepEqual({ total: bans.total, offset: bans.offset, limit: bans.limit, ips: bans.bans.map((b) => b.ip) }, { total: 2, offset: 1, limit: 1, ips: ['2001:db8::/64'] });
  const inNetwork = (await app.inject({ method: 'GET', url: '/api/v1/bans?network=2001:db8::/48', headers: bearer(READ) })).json<BansBody>();
  assert.deepEqual(inNetwork.bans.map((b) => b.ip), ['2001:db8::/64']);
  const banned = await app.inject({ method: 'POST', url: '/api/v1/bans', headers: bearer(ADMIN), payload: { jail: 'sshd', ip: '198.51.100.9' } });
  assert.equal(banned.statusCode, 201);
  assert.deepEqual(banned.json(), { banned: 1 });
  const refused = await app.inject({ method: 'POST', url: '/api/v1/bans', headers: bearer(ADMIN), payload: { jail: 'sshd', ip: '0.0.0.0/1' } });
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json<ErrorBody>().code, 'BANWARD_ERR_BAN_REFUSED');
  assert.deepEqual((await app.inject({ method: 'DELETE', url: '/api/v1/bans/203.0.113.5', headers: bearer(ADMIN) })).json(), { unbanned: 1 });
  assert.deepEqual((await app.inject({ method: 'DELETE', url: '/api/v1/bans/203.0.113.5?jail=sshd', headers: bearer(ADMIN) })).json(), { unbanned: 1 });
  const added = await app.inject({ method: 'POST', url: '/api/v1/jails/sshd/ignore', headers: bearer(ADMIN), payload: { entries: ['192.0.2.0/24'] } });
  assert.deepEqual(added.json(), { entries: ['127.0.0.1/8', '192.0.2.0/24'] });
  assert.deepEqual(calls.filter((c) => ['ban', 'unban', 'unbanEverywhere', 'addIgnore'].includes(String(c[0]))), [
    ['ban', 'sshd', ['198.51.100.9']], ['ban', 'sshd', ['0.0.0.0/1']], ['unbanEverywhere', ['203.0.113.5']], ['unban', 'sshd', ['203.0.113.5']], ['addIgnore', 'sshd', ['192.0.2.0/24']],
  ]);
});

test('an address\'s story, activity and top offenders', async () => {
  const { app, calls } = appWith();
  const story = (await app.inject({ method: 'GET', url: '/api/v1/ips/203.0.113.5', headers: bearer(READ) })).json<IpStory>();
  assert.equal(story.jails[0]?.failures.entries[0]?.lines[0], 'Failed password for root from 203.0.113.5');
  assert.equal(story.history.length, 1);
  const activity = (await app.inject({ method: 'GET', url: '/api/v1/activity?hours=2', headers: bearer(READ) })).json<unknown>();
  assert.deepEqual(activity, { from: 50_000 - 7200, to: 50_000, minutes: [{ jail: 'sshd', minute: 960, failures: 3, bans: 1 }] });
  const top = (await app.inject({ method: 'GET', url: '/api/v1/top', headers: bearer(READ) })).json<TopOffenders>();
  assert.equal(top.networks[0]?.network, '203.0.113.0/24');
  assert.deepEqual(calls.find((c) => c[0] === 'topOffenders'), ['topOffenders', 50_000 - 24 * 3600, 10]);
});

test('hostile input: every bad request is a JSON error, never a crash', async () => {
  const { app, calls } = appWith();
  const cases: { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: string; headers?: Record<string, string>; status: number }[] = [
    { method: 'GET', url: '/api/v1/ips/not-an-ip', status: 400 },
    { method: 'GET', url: '/api/v1/ips/10.0.0.0%2F8', status: 400 },
    { method: 'GET', url: '/api/v1/ips/' + '1'.repeat(300), status: 414 },
    { method: 'GET', url: '/api/v1/bans?limit=501', status: 400 },
    { method: 'GET', url: '/api/v1/bans?limit=-1', status: 400 },
    { method: 'GET', url: '/api/v1/bans?network=banana', status: 400 },
    { method: 'GET', url: '/api/v1/bans?nonsense=1', status: 400 },
    { method: 'GET', url: '/api/v1/activity?hours=169', status: 400 },
    { method: 'GET', url: '/api/v1/top?limit=abc', status: 400 },
    { method: 'GET', url: '/api/v1/bans?jail=' + 'x'.repeat(50_000), status: 400 },
    { method: 'POST', url: '/api/v1/bans', payload: '{"jail": "sshd", "ip": ', status: 400 },
    { method: 'POST', url: '/api/v1/bans', payload: '{"jail": "sshd", "ip": "1.2.3.4", "extra": 1}', status: 400 },
    { method: 'POST', url: '/api/v1/bans', payload: '{"jail": "sshd", "ip": "; rm -rf /"}', status: 400 },
    { method: 'POST', url: '/api/v1/bans', payload: '{"__proto__": {"admin": true}, "jail": "sshd", "ip": "1.2.3.4"}', status: 400 },
    { method: 'POST', url: '/api/v1/bans', payload: JSON.stringify({ jail: 'sshd', ip: '1.2.3.4', pad: 'x'.repeat(20_000) }), status: 413 },
    { method: 'POST', url: '/api/v1/bans', payload: 'jail=sshd', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
    { method: 'POST', url: '/api/v1/jails/sshd/ignore', payload: '{"entries": []}', status: 400 },
    { method: 'POST', url: '/api/v1/jails/sshd/ignore', payload: '{"entries": ["file:/etc/shadow"]}', status: 400 },
    { method: 'GET', url: '/..%2f..%2fetc/passwd', status: 404 },
    { method: 'GET', url: '/assets/..%2f..%2f..%2fetc%2fpasswd', status: 404 },
    { method: 'GET', url: '/api/v2/jails', status: 404 },
  ];
  for (const c of cases) {
    const res = await app.inject({ method: c.method, url: c.url, headers: { ...bearer(ADMIN), 'content-type': 'application/json', ...c.headers }, ...(c.payload === undefined ? {} : { payload: c.payload }) });
    assert.equal(res.statusCode, c.status, `${c.method} ${c.url.slice(0, 80)}: ${res.body.slice(0, 200)}`);
    const body = res.json<ErrorBody>();
    assert.match(body.code, c.status === 404 ? /^BANWARD_ERR_HTTP_NOT_FOUND$/ : /^BANWARD_ERR_HTTP_REQUEST$/, c.url.slice(0, 80));
    assert.equal(typeof body.message, 'string');
    assert.doesNotMatch(res.body, /root:x:0/);
  }
  assert.ok(!calls.some((c) => c[0] === 'ban'), 'no bad request reached the daemon');
});

test('/metrics: 404 without a source, the read token (or none when public) with one', async () => {
  assert.equal((await appWith().app.inject({ method: 'GET', url: '/metrics', headers: bearer(READ) })).json<ErrorBody>().code, 'BANWARD_ERR_HTTP_NOT_FOUND');
  const metrics = { contentType: 'text/plain; version=0.0.4', render: () => Promise.resolve('f2b_up 1\n') };
  const { app } = appWith({}, { metrics });
  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  const ok = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(READ) });
  assert.equal(ok.body, 'f2b_up 1\n');
  assert.match(String(ok.headers['content-type']), /version=0\.0\.4/);
  const open = appWith({}, { metrics, settings: { ...SETTINGS, metricsPublic: true } }).app;
  assert.equal((await open.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
});

test('the dashboard: its files when built, a page saying it is not otherwise', async () => {
  const notBuilt = await appWith().app.inject({ method: 'GET', url: '/' });
  assert.equal(notBuilt.statusCode, 200);
  assert.match(notBuilt.body, /dashboard is not built/);
  const dir = mkdtempSync(join(tmpdir(), 'banward-dashboard-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script src="/assets/app-1.js"></script>');
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  const { app } = appWith({}, { dashboardDir: dir });
  assert.match((await app.inject({ method: 'GET', url: '/' })).body, /app-1\.js/);
  const js = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
  assert.equal(js.body, 'console.log(1)');
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.equal((await app.inject({ method: 'GET', url: '/assets/other.js' })).statusCode, 404);
});

test('/api/v1/events streams DaemonEvents as SSE and unsubscribes when the client goes', async () => {
  let listener: ((event: DaemonEvent) => void) | null = null;
  let unsubscribed = 0;
  const { app } = appWith({ subscribe: (l) => { listener = l; return () => { unsubscribed++; listener = null; }; } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const controller = new AbortController();
    const res = await fetch(`${address}/api/v1/events`, { headers: bearer(READ), signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = res.body!.getReader();
    await reader.read();
    (listener as unknown as (event: DaemonEvent) => void)({ type: 'ban', jail: 'sshd', ip: '203.0.113.5', time: 1, bantime: 600, banCount: 1, failures: 5 });
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    assert.equal(text, `event: ban\ndata: ${JSON.stringify({ type: 'ban', jail: 'sshd', ip: '203.0.113.5', time: 1, bantime: 600, banCount: 1, failures: 5 })}\n\n`);
    controller.abort();
    await reader.closed.catch(() => undefined);
    while (unsubscribed === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(unsubscribed, 1);
  } finally {
    await app.close();
  }
});

test('/api/v1/events refuses clients beyond the cap with 503', async () => {
  const { app } = appWith({}, { eventStream: { maxClients: 1 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const first = await fetch(`${address}/api/v1/events`, { headers: bearer(READ) });
    assert.equal(first.status, 200);
    const second = await fetch(`${address}/api/v1/events`, { headers: bearer(READ) });
    assert.equal(second.status, 503);
    assert.equal(((await second.json()) as { code: string }).code, 'BANWARD_ERR_HTTP_BUSY');
    await first.body?.cancel();
  } finally {
    await app.close();
  }
});

/** `GET /api/v1/jails/{jail}` for each route Fastify serves (HEAD, which it adds itself, left out). */
async function servedRoutes(): Promise<string[]> {
  const { app } = appWith();
  await app.ready();
  const routes: string[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ├└─]*)(\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    prefixes.length = depth;
    const path = (prefixes[depth - 1] ?? '') + m[2]!;
    prefixes[depth] = path;
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes.sort();
}

test('docs/http-api.openapi.json lists exactly the routes the server serves', async () => {
  const doc = JSON.parse(readFileSync(new URL('../../../../../docs/http-api.openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)).sort();
  assert.deepEqual(await servedRoutes(), documented);
});

test('/api/v1/events drops a client that does not read once its unsent output passes the bound', async () => {
  let listener: ((event: DaemonEvent) => void) | null = null;
  let unsubscribed = 0;
  const { app, logged } = appWith({ subscribe: (l) => { listener = l; return () => { unsubscribed++; }; } }, { eventStream: { maxBufferedBytes: 64 * 1024 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const res = await fetch(`${address}/api/v1/events`, { headers: bearer(READ) });
    assert.equal(res.status, 200);
    const line = 'x'.repeat(64 * 1024);
    // The client never reads: the kernel's buffers fill, then the server's, then it lets go.
    for (let i = 0; i < 2000 && unsubscribed === 0; i++) {
      (listener as unknown as (event: DaemonEvent) => void)({ type: 'found', jail: 'sshd', ip: '203.0.113.5', time: i, lines: [line] });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(unsubscribed, 1);
    assert.ok(logged.some((l) => /event-stream client 127\.0\.0\.1 dropped/.test(l)));
    await res.body?.cancel().catch(() => undefined);
  } finally {
    await app.close();
  }
});
