import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { client, failureLine, makeDaemonDirs, spawnDaemon, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';
import { nftSet } from './_firewall-state.js';
import { inNs, makeNetPair } from './_netns.js';

interface HttpCall {
  port?: number;
  method?: string;
  path: string;
  token?: string;
  body?: string;
}

interface HttpReply {
  status: number;
  body: string;
}

const SERVER = '10.77.0.1';
const PORT = 9191;

/**
 * Sends the requests one after another from network namespace `ns` (from address `from`), as a
 * client on another host would; one node process for all of them.
 */
function httpFrom(ns: string, from: string, calls: readonly HttpCall[]): Promise<HttpReply[]> {
  const script = `const http = require('http');
    (async () => {
      let input = ''; for await (const chunk of process.stdin) input += chunk;
      const calls = JSON.parse(input);
      const out = [];
      for (const c of calls) out.push(await new Promise((resolve) => {
        const headers = { ...(c.token ? { authorization: 'Bearer ' + c.token } : {}), ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) };
        const req = http.request({ host: ${JSON.stringify(SERVER)}, port: c.port || ${PORT}, localAddress: ${JSON.stringify(from)}, method: c.method || 'GET', path: c.path, headers, timeout: 5000 }, (res) => {
          let body = ''; res.setEncoding('utf8'); res.on('data', (d) => body += d); res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => resolve({ status: 0, body: String(e.message) }));
        req.end(c.body);
      }));
      process.stdout.write(JSON.stringify(out));
    })();`;
  return new Promise((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { maxBuffer: 64 << 20 }, (error, stdout) => {
      if (error) reject(new Error(`request script failed: ${error.message}`, { cause: error }));
      else resolve(JSON.parse(stdout) as HttpReply[]);
    });
    child.stdin!.end(JSON.stringify(calls));
  });
}

async function one(ns: string, from: string, call: HttpCall): Promise<HttpReply & { json: <T>() => T }> {
  const [reply] = await httpFrom(ns, from, [call]);
  return { ...reply!, json: <T>() => JSON.parse(reply!.body) as T };
}

interface Ban { jail: string; ip: string; banCount: number }

it('HTTP API on a real daemon: bans listed and lifted at the firewall, an address\'s story, roles, SSE, token guessing banned, hostile requests survived, [http] changes applied by reload', async () => {
  const net = makeNetPair();
  const h: DaemonHarness = makeDaemonDirs(`[test]
enabled = true
filter = test
logpath = $DIR/app.log
maxretry = 3
action = nftables[port=8080, protocol=tcp]

[banward-http]
enabled = true
filter =
logpath =
maxretry = 5
findtime = 10m
bantime = 1h
# Another port than the API's, so the test sees the HTTP layer's own refusal of a banned client.
action = nftables[port=9999, protocol=tcp]
`);
  const readToken = 'read-token-for-the-integration-test';
  const adminToken = 'admin-token-for-the-integration-test';
  const readFile = join(h.dir, 'read.token');
  const adminFile = join(h.dir, 'admin.token');
  writeFileSync(readFile, readToken + '\n', { mode: 0o600 });
  writeFileSync(adminFile, adminToken + '\n', { mode: 0o644 });
  chmodSync(adminFile, 0o644);
  writeFileSync(join(h.config, 'banward.conf'), `[Definition]
dbpurgeage = 1d

[http]
enabled = true
listen = ${SERVER}:${PORT}
allow_remote = true
read_token_file = ${readFile}
admin_token_file = ${adminFile}
`);
  writeFileSync(h.log, '');
  const clientNs = net.client;
  inNs(clientNs, 'ip', 'addr', 'add', '10.77.0.3/24', 'dev', `${clientNs}0`);
  let events: ReturnType<typeof spawn> | null = null;
  try {
    const refused = spawnDaemon(h, [], net.server);
    const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
    assert.notEqual(code, 0, 'a world-readable token file refuses the start');
    assert.match(h.output.join(''), /banward\.conf:9: token file .*admin\.token is readable by others \(mode 644\)/);

    chmodSync(adminFile, 0o600);
    await startDaemon(h, [], net.server);
    const asClient = (call: HttpCall) => one(clientNs, '10.77.0.2', call);
    assert.deepEqual((await asClient({ path: '/healthz' })).json(), { status: 'ok' });

    const seen: string[] = [];
    events = spawn('ip', ['netns', 'exec', clientNs, 'curl', '-sN', '--interface', '10.77.0.2', '-H', `Authorization: Bearer ${readToken}`, `http://${SERVER}:${PORT}/api/v1/events`], { stdio: ['ignore', 'pipe', 'inherit'] });
    events.stdout!.on('data', (d: Buffer) => seen.push(d.toString()));
    await waitFor('the event stream to open', () => seen.join('').includes(': connected'));

    appendFileSync(h.log, failureLine('10.77.0.9').repeat(3) + failureLine('10.77.0.8'));
    const bans = await waitFor('the ban listed', async () => {
      const list = (await asClient({ path: '/api/v1/bans?jail=test', token: readToken })).json<{ bans: Ban[] }>().bans;
      return list.some((b) => b.ip === '10.77.0.9') && list;
    });
    assert.deepEqual(bans.map((b) => [b.jail, b.ip, b.banCount]), [['test', '10.77.0.9', 1]]);
    assert.ok(nftSet(net.server).has('10.77.0.9'));
    await waitFor('the ban event on the stream', () => /event: ban\ndata: \{[^\n]*"ip":"10\.77\.0\.9"/.test(seen.join('')));

    interface Activity { minutes: { jail: string; failures: number; bans: number }[] }
    await waitFor('the counters written (every 5 s)', async () => {
      const minutes = (await asClient({ path: '/api/v1/activity?hours=1', token: readToken })).json<Activity>().minutes.filter((m) => m.jail === 'test');
      return minutes.reduce((n, m) => n + m.failures, 0) === 4 && minutes.reduce((n, m) => n + m.bans, 0) === 1;
    });
    const top = (await asClient({ path: '/api/v1/top?limit=1', token: readToken })).json<{ offenders: unknown[]; networks: unknown[] }>();
    assert.deepEqual(top, { offenders: [{ ip: '10.77.0.9', failures: 3, bans: 1 }], networks: [{ network: '10.77.0.0/24', failures: 4, bans: 1 }] });

    interface Story { jails: { jail: string; failures: { count: number; entries: { lines: string[] }[] }; ban: Ban | null }[]; history: { matches: string[] }[] }
    const banned = (await asClient({ path: '/api/v1/ips/10.77.0.9', token: readToken })).json<Story>();
    assert.equal(banned.jails.find((j) => j.jail === 'test')?.ban?.ip, '10.77.0.9');
    assert.equal(banned.history.length, 1);
    assert.equal(banned.history[0]?.matches.length, 3);
    assert.match(banned.history[0]?.matches[0] ?? '', /login failed from 10\.77\.0\.9$/);
    const failing = (await asClient({ path: '/api/v1/ips/10.77.0.8', token: readToken })).json<Story>().jails.find((j) => j.jail === 'test');
    assert.equal(failing?.failures.count, 1);
    assert.match(failing?.failures.entries[0]?.lines[0] ?? '', /login failed from 10\.77\.0\.8$/);

    const readDelete = await asClient({ method: 'DELETE', path: '/api/v1/bans/10.77.0.9', token: readToken });
    assert.equal(readDelete.status, 403);
    assert.equal(readDelete.json<{ code: string }>().code, 'BANWARD_ERR_HTTP_FORBIDDEN');
    assert.ok(nftSet(net.server).has('10.77.0.9'), 'the read token lifted nothing');
    assert.deepEqual((await asClient({ method: 'DELETE', path: '/api/v1/bans/10.77.0.9', token: adminToken })).json(), { unbanned: 1 });
    assert.ok(!nftSet(net.server).has('10.77.0.9'), 'the admin DELETE removed the nft element');

    const storm: HttpCall[] = [];
    for (let i = 0; i < 50; i++) {
      storm.push(
        { method: 'POST', path: '/api/v1/bans', token: adminToken, body: '{"jail": "test", "ip": ' },
        { method: 'POST', path: '/api/v1/bans', token: adminToken, body: JSON.stringify({ jail: 'test', ip: '$(reboot)' }) },
        { path: '/..%2f..%2fetc/passwd', token: adminToken },
        { path: `/api/v1/bans?jail=${'x'.repeat(8000)}`, token: adminToken },
        { path: '/api/v1/ips/not-an-address', token: adminToken },
        { method: 'POST', path: '/api/v1/bans', token: adminToken, body: 'x'.repeat(20_000) },
      );
    }
    const stormReplies = await httpFrom(clientNs, '10.77.0.2', storm);
    assert.deepEqual([...new Set(stormReplies.map((r) => r.status))].sort(), [400, 404, 413]);
    assert.ok(stormReplies.every((r) => r.status === 0 || /"code":"BANWARD_ERR_HTTP_/.test(r.body)), 'every bad request got a JSON error');

    const asAttacker = (call: HttpCall) => one(clientNs, '10.77.0.3', call);
    const guesses = await httpFrom(clientNs, '10.77.0.3', Array.from({ length: 6 }, (_, i) => ({ path: '/api/v1/jails', token: `guess-${i}` })));
    assert.ok(guesses.slice(0, 5).every((r) => r.status === 401));
    await waitFor('the guesser banned in banward-http', async () =>
      (await asClient({ path: '/api/v1/bans?jail=banward-http', token: readToken })).json<{ bans: Ban[] }>().bans.some((b) => b.ip === '10.77.0.3'));
    const afterBan = await asAttacker({ path: '/api/v1/whoami', token: adminToken });
    assert.equal(afterBan.status, 403, 'a banned client is refused even with the right token');
    assert.match(afterBan.body, /banned in banward-http/);
    assert.ok(nftSet(net.server, 'banward-http-v4').has('10.77.0.3'));

    assert.equal(h.process?.exitCode, null, 'the daemon still runs');
    assert.deepEqual((await asClient({ path: '/api/v1/whoami', token: adminToken })).json(), { role: 'admin' });

    writeFileSync(join(h.config, 'banward.conf'), readFileSync(join(h.config, 'banward.conf'), 'utf8').replace(`:${PORT}`, `:${PORT + 1}`));
    assert.equal(client(h, 'reload').code, 0);
    await waitFor('the HTTP server on its new port', async () => (await asClient({ port: PORT + 1, path: '/healthz' })).status === 200);
    assert.equal((await asClient({ path: '/healthz' })).status, 0, 'the old port is closed after the reload');
  } finally {
    events?.kill();
    await stopDaemon(h);
    net.destroy();
  }
});
