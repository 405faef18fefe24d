import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bannedIn, clientJson, makeDaemonDirs, startDaemon, stopDaemon, waitFor, webLoginJail, type DaemonHarness } from './_banward.js';
import { startExample, type ExampleApp } from './_example-app.js';
import { failFiveTimes as failFive, postLogin, statusOf, type LoginAttempt } from './_login.js';

const ALICE = { username: 'alice', password: 'open sesame', json: true };
const WRONG = { username: 'alice', password: 'guess', json: true };

describe('examples/fastify-api with a real banward server', () => {
  let h: DaemonHarness;
  let app: ExampleApp;
  const login = (attempt: LoginAttempt) => postLogin(app.url, attempt).then(statusOf);
  const banned = () => bannedIn(h, 'web-login');

  const failFiveTimes = (from: string, forwardedFor?: (i: number) => string) => failFive(app.url, WRONG, from, forwardedFor);

  before(async () => {
    h = makeDaemonDirs(webLoginJail('log[path=$DIR/actions.log]'));
    await startDaemon(h);
    // No TRUST_PROXY: the TCP peer is the client, whatever X-Forwarded-For says.
    app = await startExample('fastify-api', {
      PORT: '0', HOST: '127.0.0.1', BANWARD_SOCKET: h.appSocket, LOGIN_USER: ALICE.username, LOGIN_PASSWORD: ALICE.password,
    });
  });

  after(async () => {
    await app?.stop();
    await stopDaemon(h);
    rmSync(h.dir, { recursive: true, force: true });
  });

  it('five bad JSON logins: 401 each, then 429 from the app and a ban in web-login', async () => {
    await failFiveTimes('127.0.0.61');
    assert.equal(await login({ ...ALICE, from: '127.0.0.61' }), 429, 'even with the right password');
    await waitFor('the ban in banward status web-login', () => banned().includes('127.0.0.61'));
    assert.equal(await login({ ...ALICE, from: '127.0.0.62' }), 200, 'another client signs in');
  });

  it('banward unban lifts the firewall ban and the app lock together', async () => {
    assert.ok(banned().includes('127.0.0.61'));
    clientJson(h, 'unban', '127.0.0.61');
    assert.ok(!banned().includes('127.0.0.61'));
    await waitFor('the app to let the client in again', async () => await login({ ...ALICE, from: '127.0.0.61' }) === 200);
    assert.equal(await login({ ...WRONG, from: '127.0.0.61' }), 401);
  });

  it('a spoofed X-Forwarded-For from an untrusted peer bans the real peer, not the forged address', async () => {
    await failFiveTimes('127.0.0.63', () => '127.0.0.64');
    assert.equal(await login({ ...WRONG, from: '127.0.0.63', forwardedFor: '127.0.0.65' }), 429, 'a new forged address does not evade the lock');
    await waitFor('the ban on the real peer', () => banned().includes('127.0.0.63'));
    const bans = banned();
    assert.ok(!bans.includes('127.0.0.64') && !bans.includes('127.0.0.65'), `no forged address is banned: ${bans.join(' ')}`);
    assert.equal(await login({ ...ALICE, from: '127.0.0.64' }), 200, 'the framed address still signs in');
  });
});
