/**
 * The dashboard's screens in a real browser (Debian's chromium) against a fixture API on loopback: login,
 * live updates from the event stream, the address story with hostile log lines, and the admin actions.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM, launchBrowser, logIn, type BrowserUnderTest } from './_browser.js';
import { ADMIN_TOKEN, DASHBOARD_DIR, READ_TOKEN, startFixtureServer, type FixtureServer } from './_dashboard-fixture.js';

const SCREENSHOT = fileURLToPath(new URL('../../../../../docs/dashboard-overview.png', import.meta.url));
const HOSTILE = '2026-12-02 05:40:11 sshd[811]: Invalid user <img src=x onerror=alert(1)> from 203.0.113.7 port 50022';
const NOW = Math.floor(Date.now() / 1000);

const jail = (name: string, over: Record<string, unknown>) => ({
  name, enforced: true, notEnforced: null, currentlyFailed: 4, totalFailed: 310, currentlyBanned: 2, totalBanned: 41,
  lastHour: { failures: 37, bans: 2 }, lastDay: { failures: 290, bans: 19 }, settings: { findtime: 600, bantime: 3600, maxretry: 5 },
  inputs: { files: [`/var/log/${name}.log`], reports: false }, ...over,
});
const ban = (jailName: string, ip: string, ago: number, banCount = 1) => ({ jail: jailName, ip, time: NOW - ago, bantime: 3600, expires: NOW - ago + 3600, banCount });
const BANS = [ban('sshd', '198.51.100.23', 300, 3), ban('sshd', '192.0.2.77', 1200), ban('nginx-http-auth', '2001:db8:7::5', 2400)];

/** A day of per-minute activity shaped like a real one: a steady trickle and two bursts. */
function activity() {
  const minutes: Array<{ jail: string; minute: number; failures: number; bans: number }> = [];
  const start = Math.floor(NOW / 60) * 60 - 24 * 3600;
  for (let i = 0; i < 24 * 60; i += 7) {
    const burst = (i > 300 && i < 360) || (i > 1100 && i < 1130);
    minutes.push({ jail: 'sshd', minute: start + i * 60, failures: (i % 5) + (burst ? 12 : 1), bans: burst && i % 3 === 0 ? 1 : 0 });
    if (i % 3 === 0) minutes.push({ jail: 'nginx-http-auth', minute: start + i * 60, failures: i % 4, bans: 0 });
  }
  return { from: start, to: NOW, minutes };
}

function story(ip: string) {
  return {
    ip,
    jails: [
      { jail: 'sshd', failures: { count: 3, entries: [
        { time: NOW - 100, lines: [HOSTILE] },
        { time: NOW - 90, lines: [`2026-12-02 05:40:21 sshd[812]: Failed password for root from ${ip} port 50030 ssh2`] },
        { time: NOW - 80, lines: [`2026-12-02 05:40:31 sshd[813]: Failed password for root from ${ip} port 50031 ssh2`] },
      ] }, ban: ban('sshd', ip, 60, 2), ignoredBy: null },
      { jail: 'nginx-http-auth', failures: { count: 0, entries: [] }, ban: null, ignoredBy: '203.0.113.0/24' },
    ],
    history: [{ jail: 'sshd', time: NOW - 86_000, bantime: 3600, banCount: 1, matches: [HOSTILE] }],
  };
}

let fixture: FixtureServer;
let browser: BrowserUnderTest;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is needed (apt-get install chromium; .ci/run installs it)`);
  assert.ok(existsSync(`${DASHBOARD_DIR}index.html`), 'the dashboard is built by npm run build');
  fixture = await startFixtureServer({
    jails: { jails: [jail('sshd', {}), jail('nginx-http-auth', { enforced: false, notEnforced: 'nft is not installed: bans are stored but not enforced', currentlyBanned: 1, lastHour: { failures: 3, bans: 0 } })] },
    bans: (q) => {
      const rows = BANS.filter((b) => (!q.get('jail') || b.jail === q.get('jail')) && (!q.get('ip') || b.ip === q.get('ip')));
      return { total: rows.length, offset: Number(q.get('offset') ?? 0), limit: Number(q.get('limit') ?? 50), bans: rows };
    },
    story,
    activity: activity(),
    top: {
      offenders: [{ ip: '198.51.100.23', failures: 58, bans: 3 }, { ip: '203.0.113.7', failures: 21, bans: 2 }, { ip: '192.0.2.77', failures: 9, bans: 1 }],
      networks: [{ network: '198.51.100.0/24', failures: 71, bans: 4 }, { network: '203.0.113.0/24', failures: 21, bans: 2 }],
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.close();
});

const card = (page: Page, name: string, counter: string) => page.locator(`[data-testid=jail-card][data-jail="${name}"] [data-testid=${counter}]`);
const lastRequest = (method: string, prefix: string) => fixture.requests.filter((r) => r.method === method && r.url.startsWith(prefix)).at(-1);

/** The problems so far, except the console's report of the 401 replies the step provoked on purpose. */
function takeProblems(expected401: boolean): string[] {
  const taken = browser.problems.splice(0);
  return expected401 ? taken.filter((p) => !/status of 401/.test(p)) : taken;
}

it('dashboard: a wrong token stays on the login screen and says so', async () => {
  const page = await browser.open(fixture.url);
  await logInFails(page, 'not-a-token');
  assert.match(await page.getByTestId('login-error').innerText(), /refused/);
  assert.deepEqual(takeProblems(true), []);
});

async function logInFails(page: Page, token: string) {
  await page.getByTestId('login-token').fill(token);
  await page.getByTestId('login-button').click();
  await page.getByTestId('login-error').waitFor();
}

it('dashboard (admin token): jail cards, a ban and a failure arrive live, the story shows hostile lines as text, unban sends DELETE with the admin token', async () => {
  const page = await browser.open(fixture.url);
  await logIn(page, ADMIN_TOKEN);
  assert.equal(await page.getByTestId('role').textContent(), 'admin');
  await page.locator('[data-testid=jail-card]').nth(1).waitFor();
  assert.equal(await page.locator('[data-testid=jail-card]').count(), 2);
  assert.equal(await card(page, 'sshd', 'jail-enforced').innerText(), 'enforced');
  assert.equal(await card(page, 'nginx-http-auth', 'jail-not-enforced').innerText(), 'NOT ENFORCED');
  assert.match(await card(page, 'nginx-http-auth', 'jail-not-enforced-reason').innerText(), /nft is not installed/);
  assert.equal(await card(page, 'sshd', 'jail-banned').innerText(), '2');
  await page.locator('[data-testid=activity-chart] canvas').first().waitFor();
  assert.equal(await page.getByTestId('top-offender').count(), 3);
  assert.equal(await page.getByTestId('top-network').count(), 2);
  await page.locator('[data-testid=recent-bans] [data-testid=ban-row]').nth(2).waitFor(); // the snapshot before the events

  // Not events: data that is no JSON, JSON that is no event, a comment, CRLF endings; the stream reads on.
  await fixture.pushRaw('event: ban\r\ndata: {not json\r\n\r\n: keepalive\r\n\r\ndata: 42\n\nretry: 10\n\n');
  await fixture.push('found', { type: 'found', jail: 'sshd', ip: '203.0.113.7', time: NOW, lines: [HOSTILE] });
  await fixture.push('ban', { type: 'ban', jail: 'sshd', ip: '203.0.113.7', time: NOW, bantime: 3600, banCount: 2, failures: 5 });
  await page.locator('[data-testid=feed-entry][data-type=ban]', { hasText: '203.0.113.7' }).waitFor();
  await card(page, 'sshd', 'jail-banned').filter({ hasText: /^3$/ }).waitFor();
  assert.equal(await card(page, 'sshd', 'jail-hour-bans').innerText(), '3');
  assert.equal(await card(page, 'sshd', 'jail-hour-failures').innerText(), '38');
  await page.locator('[data-testid=recent-bans] [data-testid=ban-row][data-ip="203.0.113.7"]').waitFor();
  const feed = page.getByTestId('feed-entry');
  assert.equal(await feed.count(), 2, 'only the two events are in the feed');
  assert.equal(await feed.first().getAttribute('data-type'), 'ban', 'newest first');
  assert.ok((await feed.nth(1).innerText()).includes('<img src=x onerror=alert(1)>'), 'the found line is shown as text');
  assert.equal(await page.locator('.feed img').count(), 0);
  if (process.env.BANWARD_SCREENSHOT === '1') await page.screenshot({ path: SCREENSHOT, fullPage: true });

  await page.getByRole('link', { name: 'Search' }).click();
  await page.getByTestId('search-input').fill('203.0.113.7');
  await page.getByTestId('search-button').click();
  await page.getByTestId('story-line').first().waitFor();
  const lines = await page.getByTestId('story-line').allInnerTexts();
  assert.deepEqual(lines, story('203.0.113.7').jails[0]!.failures.entries.map((e) => e.lines[0]));
  assert.deepEqual(await page.getByTestId('story-history-line').allInnerTexts(), [HOSTILE]);
  assert.equal(await page.locator('[data-testid=story] img').count(), 0, 'no markup from log lines');
  assert.match(await page.locator('[data-testid=story-jail][data-jail="nginx-http-auth"] [data-testid=story-ignored]').innerText(), /203\.0\.113\.0\/24/);
  assert.equal(lastRequest('GET', '/api/v1/ips/')?.url, '/api/v1/ips/203.0.113.7');

  await page.locator('[data-testid=story-jail][data-jail=sshd] [data-testid=unban-button]').click();
  await page.getByTestId('search-notice').filter({ hasText: 'Unbanned in sshd' }).waitFor();
  const unban = lastRequest('DELETE', '/api/v1/bans/');
  assert.deepEqual([unban?.url, unban?.authorization], ['/api/v1/bans/203.0.113.7?jail=sshd', `Bearer ${ADMIN_TOKEN}`]);

  await page.getByTestId('ban-jail').selectOption('nginx-http-auth');
  await page.getByTestId('ban-button').click();
  await page.getByTestId('search-notice').filter({ hasText: 'Banned in nginx-http-auth' }).waitFor();
  const banned = lastRequest('POST', '/api/v1/bans');
  assert.deepEqual([JSON.parse(banned?.body ?? '{}'), banned?.authorization], [{ jail: 'nginx-http-auth', ip: '203.0.113.7' }, `Bearer ${ADMIN_TOKEN}`]);

  await page.getByRole('link', { name: 'Bans' }).click();
  await page.getByTestId('bans-jail').selectOption('sshd');
  await page.getByTestId('bans-address').fill('192.0.2.77');
  await page.getByTestId('bans-filter').click();
  await page.getByTestId('bans-total').filter({ hasText: '1–1 of 1' }).waitFor();
  assert.equal(lastRequest('GET', '/api/v1/bans')?.url, '/api/v1/bans?jail=sshd&ip=192.0.2.77&offset=0&limit=50');
  await page.locator('[data-testid=ban-row][data-ip="192.0.2.77"] [data-testid=unban-button]').click();
  await waitForRequest('DELETE', '/api/v1/bans/192.0.2.77?jail=sshd');
  assert.equal(lastRequest('DELETE', '/api/v1/bans/')?.authorization, `Bearer ${ADMIN_TOKEN}`);
  assert.deepEqual(takeProblems(false), []);
});

async function waitForRequest(method: string, url: string) {
  for (let i = 0; !fixture.requests.some((r) => r.method === method && r.url === url); i++) {
    if (i > 200) assert.fail(`no ${method} ${url}; requests: ${fixture.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('dashboard (read token): the same screens without a ban or unban button', async () => {
  const page = await browser.open(fixture.url);
  await page.getByTestId('logout-button').click();
  await logIn(page, READ_TOKEN);
  assert.equal(await page.getByTestId('role').textContent(), 'read');
  await page.locator('[data-testid=recent-bans] [data-testid=ban-row]').first().waitFor();
  assert.equal(await page.getByTestId('unban-button').count(), 0);
  await page.getByRole('link', { name: 'Bans' }).click();
  await page.getByTestId('ban-row').first().waitFor();
  assert.equal(await page.getByTestId('unban-button').count(), 0);
  await page.goto(`${fixture.url}#/search/203.0.113.7`);
  await page.getByTestId('story-line').first().waitFor();
  assert.equal(await page.getByTestId('ban-button').count(), 0);
  assert.equal(await page.getByTestId('unban-button').count(), 0);
  assert.ok(fixture.requests.filter((r) => r.authorization === `Bearer ${READ_TOKEN}`).every((r) => r.method === 'GET'));
  assert.deepEqual(takeProblems(false), []);
});

it('dashboard: the live feed reconnects when the event stream ends', async () => {
  const page = await browser.open(fixture.url);
  await page.locator('[data-testid=stream-state].live').waitFor();
  const opened = fixture.requests.filter((r) => r.url === '/api/v1/events').length;
  fixture.endStreams();
  await fixture.push('unban', { type: 'unban', jail: 'sshd', ip: '198.51.100.23', time: NOW, reason: 'expired' });
  await page.locator('[data-testid=feed-entry][data-type=unban]', { hasText: '198.51.100.23' }).waitFor();
  assert.equal(fixture.requests.filter((r) => r.url === '/api/v1/events').length, opened + 1);
  await page.locator('[data-testid=recent-bans] [data-testid=ban-row][data-ip="198.51.100.23"]').waitFor({ state: 'detached' });
  assert.deepEqual(takeProblems(false), []);
});

it('dashboard: a token refused mid-session (401) returns to the login screen with a message', async () => {
  const page = await browser.open(fixture.url);
  // Every request of the overview answered first, so the one refused is the Bans screen's.
  await page.getByTestId('top-network').first().waitFor();
  await page.locator('[data-testid=recent-bans] [data-testid=ban-row]').first().waitFor();
  await page.locator('[data-testid=activity-chart] canvas').first().waitFor();
  fixture.revokeTokens();
  await page.getByRole('link', { name: 'Bans' }).click();
  await page.getByTestId('login-error').filter({ hasText: '401' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the token is forgotten');
  assert.deepEqual(takeProblems(true), []);
});
