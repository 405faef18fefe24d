/** What a ban carries to its actions: the lines of the failures that led to it, through a real daemon. */
import { strict as assert } from 'node:assert';
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { bannedIps, failureLine, makeDaemonDirs, readText, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';

const JAIL = `[DEFAULT]
bantime = 1h
findtime = 10m
maxretry = 3
backend = auto
filter = test

[all]
enabled = true
logpath = $DIR/all.log
action = write-matches[out="$DIR/all.matches"]
         webhook[url="http://127.0.0.1:$PORT/hook", matches=yes]
         mail[dest="root@example.org", sendmail="$DIR/sendmail"]

[two]
enabled = true
logpath = $DIR/two.log
maxmatches = 2
action = write-matches[out="$DIR/two.matches"]
`;

const running: DaemonHarness[] = [];
const posted: Array<{ event: string; matches?: string[] }> = [];
const hook = createServer((req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => { body += d.toString(); });
  req.on('end', () => {
    posted.push(JSON.parse(body) as { event: string; matches?: string[] });
    res.end();
  });
});
after(async () => {
  for (const h of running) await stopDaemon(h);
  hook.close();
});

it('maxmatches: a ban carries up to maxmatches lines through <matches>', async () => {
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const h = makeDaemonDirs(JAIL.replace('$PORT', String((hook.address() as AddressInfo).port)));
  running.push(h);
  mkdirSync(join(h.config, 'action.d'));
  writeFileSync(join(h.config, 'action.d', 'write-matches.conf'), "[Definition]\nactionban = printf '%%s\\n' <matches> > <out>\n\n[Init]\nout =\n");
  writeFileSync(join(h.dir, 'sendmail'), `#!/bin/sh\ncat > ${join(h.dir, 'mail.txt')}\n`);
  chmodSync(join(h.dir, 'sendmail'), 0o755);
  const lines = [1, 2, 3].map((i) => failureLine('203.0.113.5').replace('login failed', `login failed for user${i}`));
  for (const jail of ['all', 'two']) writeFileSync(join(h.dir, `${jail}.log`), '');
  await startDaemon(h);
  for (const jail of ['all', 'two']) appendFileSync(join(h.dir, `${jail}.log`), lines.join(''));
  for (const jail of ['all', 'two']) await waitFor(`the ban in ${jail}`, () => bannedIps(h, jail).includes('203.0.113.5'));
  const written = (jail: string) => waitFor(`${jail}'s actionban`, () => readText(join(h.dir, `${jail}.matches`)) || undefined);
  assert.equal(await written('all'), lines.join(''), 'maxmatches 5 (the default): all three lines, oldest first');
  assert.equal(await written('two'), lines.slice(1).join(''), 'maxmatches 2: the last two');
  const ban = await waitFor('the webhook\'s ban event', () => posted.find((p) => p.event === 'ban'));
  assert.deepEqual(ban.matches, lines.map((l) => l.trimEnd()), 'the webhook carries the same lines');
  const mail = () => readText(join(h.dir, 'mail.txt'));
  await waitFor('the mail quoting all three lines', () => lines.every((l) => mail().includes(`  ${l}`)));
});
