import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { it } from 'node:test';
import { bannedIn, clientJson, inNs, makeDaemonDirs, makeNetPair, startDaemon, stopDaemon, waitFor, webLoginJail } from './_banward.js';
import { startExample, type ExampleApp } from './_example-app.js';
import { postLoginFromNs, statusOf, type LoginAttempt } from './_login.js';

const ALICE = { username: 'alice', password: 'open sesame' };
const WRONG = { username: 'alice', password: 'guess' };
const PORT = 8080;

it('examples/express-login behind real nftables: the attacker\'s bad logins ban it at the firewall, another client still gets in, unban opens it again', async () => {
  // server ns 10.77.0.1 runs the daemon and the app; client ns has the attacker (10.77.0.2) and a bystander (10.77.0.3).
  const net = makeNetPair();
  const h = makeDaemonDirs(webLoginJail(`nftables[port=${PORT}, protocol=tcp]`));
  let app: ExampleApp | undefined;
  const url = `http://10.77.0.1:${PORT}`;
  const fromClient = (attempt: LoginAttempt) => postLoginFromNs(net.client, url, attempt).then(statusOf);
  try {
    inNs(net.client, 'ip', 'addr', 'add', '10.77.0.3/24', 'dev', `${net.client}0`);
    await startDaemon(h, [], net.server);
    app = await startExample('express-login', {
      PORT: String(PORT), HOST: '10.77.0.1', BANWARD_SOCKET: h.appSocket, LOGIN_USER: ALICE.username, LOGIN_PASSWORD: ALICE.password,
    }, net.server);

    for (let i = 0; i < 5; i++) assert.equal(await fromClient({ ...WRONG, from: '10.77.0.2' }), 401, `bad login ${i + 1}`);
    await waitFor('the ban', () => bannedIn(h, 'web-login').includes('10.77.0.2'));
    // The ban is recorded before the enforcer has written the rule; the rule follows within moments.
    await waitFor("the attacker's connection to fail at the firewall, even with the right password",
      async () => /^(ECONNREFUSED|ECONNRESET|timeout)$/.test(String(await fromClient({ ...ALICE, from: '10.77.0.2', json: true }))));
    assert.equal(await fromClient({ ...ALICE, from: '10.77.0.3', json: true }), 200, 'another client signs in');

    clientJson(h, 'unban', '10.77.0.2');
    await waitFor('the attacker let in by firewall and app', async () => await fromClient({ ...ALICE, from: '10.77.0.2', json: true }) === 200);
  } finally {
    await app?.stop();
    await stopDaemon(h);
    net.destroy();
    rmSync(h.dir, { recursive: true, force: true });
  }
});
