/** What a ban carries to its actions: the lines of the failures that led to it, through a real daemon. */
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
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

[two]
enabled = true
logpath = $DIR/two.log
maxmatches = 2
action = write-matches[out="$DIR/two.matches"]
`;

const running: DaemonHarness[] = [];
after(async () => {
  for (const h of running) await stopDaemon(h);
});

it('maxmatches: a ban carries up to maxmatches lines through <matches>', async () => {
  const h = makeDaemonDirs(JAIL);
  running.push(h);
  mkdirSync(join(h.config, 'action.d'));
  writeFileSync(join(h.config, 'action.d', 'write-matches.conf'), "[Definition]\nactionban = printf '%%s\\n' <matches> > <out>\n\n[Init]\nout =\n");
  const lines = [1, 2, 3].map((i) => failureLine('203.0.113.5').replace('login failed', `login failed for user${i}`));
  for (const jail of ['all', 'two']) writeFileSync(join(h.dir, `${jail}.log`), '');
  await startDaemon(h);
  for (const jail of ['all', 'two']) appendFileSync(join(h.dir, `${jail}.log`), lines.join(''));
  for (const jail of ['all', 'two']) await waitFor(`the ban in ${jail}`, () => bannedIps(h, jail).includes('203.0.113.5'));
  const written = (jail: string) => waitFor(`${jail}'s actionban`, () => readText(join(h.dir, `${jail}.matches`)) || undefined);
  assert.equal(await written('all'), lines.join(''), 'maxmatches 5 (the default): all three lines, oldest first');
  assert.equal(await written('two'), lines.slice(1).join(''), 'maxmatches 2: the last two');
});
