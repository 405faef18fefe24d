/**
 * The dashboard end to end: a real daemon in a network namespace with nftables and its HTTP API on a unix
 * socket, Debian's chromium on the dashboard through a loopback relay to that socket. Failures written to
 * the watched log become a ban the page shows live; the address's story shows the matched lines as text;
 * the page's Unban lifts the ban from the nft set.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { it } from 'node:test';
import { CHROMIUM, launchBrowser, logIn } from './_browser.js';
import { bannedIps, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor } from './_daemon.js';
import { DASHBOARD_DIR } from './_dashboard-fixture.js';
import { nftSet } from './_firewall-state.js';
import { makeNetPair } from './_netns.js';

const ADMIN_TOKEN = 'e2e-admin-token-5d0c1f8a27b4';
const READ_TOKEN = 'e2e-read-token-a91e34c6b70d';
const OFFENDER = '10.77.0.2';
const HOSTILE = '<img/src=x/onerror=alert(1)>';

/** A TCP listener on loopback that relays each connection to the daemon's HTTP unix socket. */
async function relayTo(socketPath: string): Promise<{ url: string; server: Server }> {
  const server = createServer((browserSide) => {
    const daemonSide = connect(socketPath);
    browserSide.pipe(daemonSide).pipe(browserSide);
    browserSide.on('error', () => daemonSide.destroy());
    daemonSide.on('error', () => browserSide.destroy());
    browserSide.on('close', () => daemonSide.destroy());
    daemonSide.on('close', () => browserSide.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

it('dashboard end to end: a ban appears live, the story shows the matched lines as text, Unban removes the nft element', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install chromium; .ci/run installs it)`);
  assert.ok(existsSync(join(DASHBOARD_DIR, 'index.html')), 'the dashboard is built by npm run build');
  const net = makeNetPair();
  const h = makeDaemonDirs('[test]\nenabled = true\nfilter = test\nlogpath = $DIR/app.log\nmaxretry = 3\nfindtime = 10m\nbantime = 10m\n'
    + 'action = nftables[port=8080, protocol=tcp]\n');
  const httpSocket = join(h.dir, 'http.sock');
  for (const [name, token] of [['admin.token', ADMIN_TOKEN], ['read.token', READ_TOKEN]] as const) writeFileSync(join(h.dir, name), `${token}\n`, { mode: 0o600 });
  writeFileSync(join(h.config, 'banward.conf'), `[Definition]
dbpurgeage = 1d

[http]
enabled = true
listen = unix:${httpSocket}
read_token_file = ${join(h.dir, 'read.token')}
admin_token_file = ${join(h.dir, 'admin.token')}
`);
  writeFileSync(h.log, '');
  let relay: Server | undefined;
  const browser = await launchBrowser();
  try {
    await startDaemon(h, [], net.server);
    await waitFor('the HTTP socket', () => existsSync(httpSocket));
    const { url, server } = await relayTo(httpSocket);
    relay = server;

    const page = await browser.open(url);
    await logIn(page, ADMIN_TOKEN);
    assert.equal(await page.getByTestId('role').textContent(), 'admin');
    const card = page.locator('[data-testid=jail-card][data-jail=test]');
    await card.waitFor();
    assert.equal(await card.getByTestId('jail-banned').textContent(), '0');
    assert.equal(await card.getByTestId('jail-enforced').textContent(), 'enforced');
    // The stream is open and the bans listed before the failures are written, so the ban reaches the page as an event.
    await page.locator('[data-testid=stream-state].live').waitFor();
    await page.locator('[data-testid=recent-bans] [data-testid=bans-empty]').waitFor();

    const hostileLine = failureLine(OFFENDER).replace('login failed from', `login failed for ${HOSTILE} from`);
    appendFileSync(h.log, failureLine(OFFENDER) + hostileLine + failureLine(OFFENDER));
    await page.locator('[data-testid=feed-entry][data-type=ban]', { hasText: OFFENDER }).waitFor();
    await card.getByTestId('jail-banned').filter({ hasText: /^1$/ }).waitFor();
    await page.locator(`[data-testid=recent-bans] [data-testid=ban-row][data-ip="${OFFENDER}"]`).waitFor();
    assert.ok((await page.locator('[data-testid=feed-entry][data-type=found]').allTextContents()).some((t) => t.includes(HOSTILE)), 'the found event shows the line as text');
    await waitFor('the nft element', () => nftSet(net.server).has(OFFENDER));

    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByTestId('search-input').fill(OFFENDER);
    await page.getByTestId('search-button').click();
    await page.locator('[data-testid=story-jail][data-jail=test] [data-testid=story-ban]').waitFor();
    const lines = [...await page.getByTestId('story-line').allTextContents(), ...await page.getByTestId('story-history-line').allTextContents()];
    assert.ok(lines.some((line) => line.includes(`login failed for ${HOSTILE} from ${OFFENDER}`)), `the matched lines: ${JSON.stringify(lines)}`);
    assert.ok(lines.filter((line) => line.includes(`login failed from ${OFFENDER}`)).length >= 2, `the matched lines: ${JSON.stringify(lines)}`);
    assert.equal(await page.locator('[data-testid=story] img').count(), 0, 'no markup from log lines');

    await page.locator('[data-testid=story-jail][data-jail=test] [data-testid=unban-button]').click();
    await page.getByTestId('search-notice').filter({ hasText: 'Unbanned in test: 1' }).waitFor();
    await waitFor('the nft element removed', () => !nftSet(net.server).has(OFFENDER));
    assert.deepEqual(bannedIps(h), []);
    await page.locator('[data-testid=story-jail][data-jail=test]', { hasText: 'Not banned.' }).waitFor();
    assert.deepEqual(browser.problems, []);
  } finally {
    await browser.close();
    relay?.close();
    await stopDaemon(h);
    net.destroy();
  }
});
