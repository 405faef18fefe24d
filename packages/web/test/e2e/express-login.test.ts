import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bannedIn, clientJson, makeDaemonDirs, startDaemon, stopDaemon, waitFor, webLoginJail, type DaemonHarness } from './_banward.js';
import { startExample, type ExampleApp } from './_example-app.js';
import { failFiveTimes as failFive, postLogin, statusOf, type LoginAttempt } from './_login.js';

const ALICE = { username: 'alice', password: 'open sesame' };
const WRONG = { username: 'alice', password: 'guess' };
// The "nginx" of these tests: the only peer whose X-Forwarded-For the app believes.
const PROXY = '127.0.0.1';

describe('examples/express-login with a real banward server', () => {
  let h: DaemonHarness;
  let app: ExampleApp;
  const login = (attempt: LoginAttempt) => postLogin(app.url, attempt).then(statusOf);
  const banned = () => bannedIn(h, 'web-login');

  const failFiveTimes = (from: string, forwardedFor?: (i: number) => string) => failFive(app.url, WRONG, from, forwardedFor);

  /** Polls with bad logins (a good one would reset the count) until the app refuses the client. */
  async function lockedOut(from: string, forwardedFor?: string): Promise<void> {
    await waitFor(`the app to refuse ${from}`, async () => await login({ ...WRONG, from, ...(forwardedFor ? { forwardedFor } : {}) }) === 429);
  }

  before(async () => {
    h = makeDaemonDirs(webLoginJail('log[path=$DIR/actions.log]'));
    await startDaemon(h);
    app = await startExample('express-login', {
      PORT: '0', HOST: '127.0.0.1', BANWARD_SOCKET: h.appSocket, TRUST_PROXY: PROXY,
      LOGIN_USER: ALICE.username, LOGIN_PASSWORD: ALICE.password,
    });
  });

  after(async () => {
    await app?.stop();
    await stopDaemon(h);
    rmSync(h.dir, { recursive: true, force: true });
  });

  it('five bad logins: the app answers 429 and the daemon bans the address in web-login', async () => {
    await failFiveTimes('127.0.0.11');
    await waitFor('the ban in banward status web-login', () => banned().includes('127.0.0.11'));
    await lockedOut('127.0.0.11');
    assert.equal(await login({ ...ALICE, from: '127.0.0.11', json: true }), 429, 'even with the right password');
    assert.equal(await login({ ...ALICE, from: '127.0.0.12', json: true }), 200, 'another client signs in');
    assert.equal(await login({ ...ALICE, from: '127.0.0.12' }), 303, 'the form redirects after sign-in');
  });

  it('banward unban lifts the firewall ban and the app lock together', async () => {
    assert.ok(banned().includes('127.0.0.11'));
    clientJson(h, 'unban', '127.0.0.11');
    assert.ok(!banned().includes('127.0.0.11'));
    await waitFor('the app to let the client in again', async () => await login({ ...ALICE, from: '127.0.0.11', json: true }) === 200);
    assert.equal(await login({ ...WRONG, from: '127.0.0.11' }), 401);
  });

  it('X-Forwarded-For from an untrusted peer neither evades the lockout nor frames another address', async () => {
    await failFiveTimes('127.0.0.21', (i) => `127.0.0.${100 + i}`);
    await waitFor('the ban on the real peer', () => banned().includes('127.0.0.21'));
    await lockedOut('127.0.0.21', '127.0.0.199');

    await failFiveTimes('127.0.0.22', () => '127.0.0.23');
    await waitFor('the ban on the real peer', () => banned().includes('127.0.0.22'));
    const bans = banned();
    assert.ok(bans.every((ip) => !/^127\.0\.0\.(1\d\d|23)$/.test(ip)), `no forged address is banned: ${bans.join(' ')}`);
    assert.equal(await login({ ...ALICE, from: '127.0.0.23', json: true }), 200, 'the framed address still signs in');
  });

  it('behind the trusted proxy, the client is the first untrusted hop from the right', async () => {
    await failFiveTimes(PROXY, () => '127.0.0.33, 127.0.0.31');
    await waitFor('the ban on the forwarded client', () => banned().includes('127.0.0.31'));
    await lockedOut(PROXY, '127.0.0.31');
    const bans = banned();
    assert.ok(!bans.includes('127.0.0.33') && !bans.includes(PROXY), `neither the forged hop nor the proxy is banned: ${bans.join(' ')}`);
    assert.equal(await login({ ...ALICE, from: PROXY, forwardedFor: '127.0.0.32', json: true }), 200, 'other clients behind the proxy sign in');
  });

  it('issue 11 defect 7: 12 bad logins from 8 addresses of one /64 behind the proxy: the app locks the /64 (429), whatever the daemon counts', async () => {
    const statuses: (number | string)[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await login({ ...WRONG, from: PROXY, forwardedFor: `2001:db8:1:2::${(i % 8) + 1}` }));
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    assert.equal(await login({ ...ALICE, from: PROXY, forwardedFor: '2001:db8:1:2:ffff::9', json: true }), 429, 'any address of the /64, even with the password');
    assert.equal(await login({ ...ALICE, from: PROXY, forwardedFor: '2001:db8:1:3::1', json: true }), 200, 'the next /64 signs in');
    assert.equal(await login({ ...ALICE, from: PROXY, json: true }), 200, 'the proxy itself is not locked');
  });

  it('issue 11 defect 9: a hop the proxy writes as ip:port is the client; an unparsable one is nobody, never the proxy', async () => {
    await failFiveTimes(PROXY, () => '127.0.0.61:5555');
    await waitFor('the ban on the client behind ip:port', () => banned().includes('127.0.0.61'));
    await lockedOut(PROXY, '127.0.0.61:5555');

    for (let i = 0; i < 8; i++) {
      assert.equal(await login({ ...WRONG, from: PROXY, forwardedFor: '127.0.0.71, 010.000.000.001' }), 401, `unparsable hop, bad login ${i + 1}: not counted`);
    }
    await failFiveTimes(PROXY, () => '[::1]:8443, garbage');
    // Reports go out in order: once a later client's ban is in, any report of the failures above has arrived.
    await failFiveTimes(PROXY, () => '127.0.0.73');
    await waitFor('the ban on a later client', () => banned().includes('127.0.0.73'));
    assert.equal(await login({ ...ALICE, from: PROXY, forwardedFor: '127.0.0.72', json: true }), 200, 'the others behind the proxy sign in');
    assert.equal(await login({ ...ALICE, from: PROXY, json: true }), 200, 'the proxy signs in');
    const bans = banned();
    assert.ok(!bans.includes(PROXY) && !bans.some((ip) => /^(127\.0\.0\.71|10\.0\.0\.1|8\.0\.0\.1|::1)$/.test(ip)), `no one is banned for the unparsable hops: ${bans.join(' ')}`);
  });

  it('the daemon killed mid-run: the app keeps answering, locks on its own count, and the reports arrive when the daemon is back', async () => {
    const daemon = h.process!;
    daemon.kill('SIGKILL');
    await once(daemon, 'exit');
    h.process = null;

    assert.equal(await login({ ...ALICE, from: '127.0.0.41', json: true }), 200);
    await failFiveTimes('127.0.0.42');
    // The app counts on its own from its next read of the daemon's bans, which fails (every syncSeconds).
    await lockedOut('127.0.0.42');

    await startDaemon(h);
    // The reporter retries with a growing backoff (up to 30 s between tries).
    await waitFor('the queued reports to ban the address', () => banned().includes('127.0.0.42'), 60_000);
    assert.equal(await login({ ...WRONG, from: '127.0.0.42' }), 429);
    assert.ok(!banned().includes('127.0.0.41'));
  });

  it('the failure that reaches the limit locks the client at once, before the daemon\'s reply', async () => {
    await failFiveTimes('127.0.0.51');
    assert.equal(await login({ ...WRONG, from: '127.0.0.51' }), 429);
  });
});

describe('examples/express-login with the daemon away', () => {
  let app: ExampleApp;

  before(async () => {
    app = await startExample('express-login', {
      PORT: '0', HOST: '127.0.0.1', BANWARD_SOCKET: join(tmpdir(), 'banward-web-e2e-no-daemon.sock'),
      LOGIN_USER: ALICE.username, LOGIN_PASSWORD: ALICE.password,
    });
  });

  after(async () => {
    await app?.stop();
  });

  it('issue 11 defect 8: 4 wrong + 1 right login, five times over, locks the address on its fifth wrong guess', async () => {
    const statuses: (number | string)[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 4; i++) statuses.push(await postLogin(app.url, { ...WRONG, from: '127.0.0.81' }).then(statusOf));
      statuses.push(await postLogin(app.url, { ...ALICE, from: '127.0.0.81', json: true }).then(statusOf));
    }
    assert.deepEqual(statuses.slice(0, 6), [401, 401, 401, 401, 200, 401], 'the right login signs in');
    assert.ok(statuses.slice(6).every((s) => s === 429), `locked from the fifth wrong guess on: ${statuses.join(' ')}`);
    assert.equal(await postLogin(app.url, { ...ALICE, from: '127.0.0.82', json: true }).then(statusOf), 200, 'another client signs in');
  });
});
