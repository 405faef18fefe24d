/**
 * Reload sees everything a jail was made of and never leaves a jail half-replaced: an edited action.d
 * file is applied to its jail alone; a reload whose new actionstart fails puts every jail back as it was.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { client, clientJson, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';

const JAIL = `[DEFAULT]
filter = test
maxretry = 2
logpath = $DIR/app.log

[cmd]
enabled = true
action = blocker

[quiet]
enabled = true
logpath = $DIR/quiet.log
action = log[path=$DIR/actions.log]

[own]
enabled = true
logpath = $DIR/own.log
failregex = ^refused <HOST>$
action = log[path=$DIR/own-actions.log]
`;

const blocker = (version: string, extra = ''): string =>
  `[Definition]\nactionban = echo ${version} <ip> >> $DIR/blocker.out\nactionunban = true\n${extra}`;

let h: DaemonHarness;
const banned = (jail: string): string[] => clientJson<{ actions: { bannedIps: string[] } }>(h, 'status', jail).actions.bannedIps;
const writeBlocker = (text: string): void => writeFileSync(join(h.config, 'action.d', 'blocker.conf'), text.replaceAll('$DIR', h.dir));
const blockerOut = (): string => { try { return readFileSync(join(h.dir, 'blocker.out'), 'utf8'); } catch { return ''; } };

before(async () => {
  h = makeDaemonDirs(JAIL);
  for (const f of ['app.log', 'quiet.log', 'own.log']) writeFileSync(join(h.dir, f), '');
  mkdirSync(join(h.config, 'action.d'), { recursive: true });
  writeBlocker(blocker('v1'));
  await startDaemon(h);
});
after(async () => { await stopDaemon(h); });

it('issue 12: reload after editing an action.d file applies the new command to that jail alone, and nobody is unbanned', async () => {
  appendFileSync(h.log, `${failureLine('198.51.100.1')}\n${failureLine('198.51.100.1')}\n`);
  await waitFor('v1 ban', () => blockerOut().includes('v1 198.51.100.1'));
  writeBlocker(blocker('v2'));
  assert.deepEqual(clientJson<{ reloaded: string[] }>(h, 'reload').reloaded, ['cmd']);
  assert.deepEqual(banned('cmd'), ['198.51.100.1'], 'the ban survives the reload');
  appendFileSync(h.log, `${failureLine('198.51.100.2')}\n${failureLine('198.51.100.2')}\n`);
  await waitFor('v2 ban', () => blockerOut().includes('v2 198.51.100.2'));
  assert.deepEqual(clientJson<{ reloaded: string[] }>(h, 'reload').reloaded, [], 'nothing changed: nothing reloads');
});

it('issue 12: a reload refused because actionstart fails leaves every jail exactly as it was, still reading its log', async () => {
  writeBlocker(blocker('v3', 'actionstart = false\n'));
  const refused = client(h, 'reload');
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stderr, /actionstart failed/);
  assert.deepEqual(clientJson<{ jails: string[] }>(h, 'status').jails.sort(), ['cmd', 'own', 'quiet']);
  assert.deepEqual(banned('cmd'), ['198.51.100.1', '198.51.100.2']);
  appendFileSync(h.log, `${failureLine('198.51.100.3')}\n${failureLine('198.51.100.3')}\n`);
  await waitFor('the old action bans again', () => blockerOut().includes('v2 198.51.100.3'));
  assert.doesNotMatch(blockerOut(), /v3/);
  writeBlocker(blocker('v2'));
});

it('issue 12: a failregex written in the jail section is what the daemon matches', async () => {
  appendFileSync(join(h.dir, 'own.log'), 'refused 203.0.113.9\nrefused 203.0.113.9\n');
  await waitFor('the own-regex ban', () => banned('own').includes('203.0.113.9'));
});
