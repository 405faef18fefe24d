import { strict as assert } from 'node:assert';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  bannedIps, client, clientJson, failureLine, makeDaemonDirs, spawnDaemon, startDaemon, stopDaemon, waitFor,
  waitForPing, type DaemonHarness,
} from './_daemon.js';

// failregex 1 backtracks for ever on `1.2.3.4 aaaa…a!`: V8's linear-time fallback rescues the ASCII
// form, not the Unicode one a single non-ASCII character selects. failregex 2 has a lookahead (no fallback
// at all) and is reached by lines failregex 1 rejects. failregex 3 counts a dated sentinel line. One
// anchored datepattern keeps the date search out of the picture (the default templates cost more).
const HOSTILE_FILTER = String.raw`[Definition]
datepattern = ^%%Y-%%m-%%d %%H:%%M:%%S
failregex = ^<HOST> (\w+\s?)*$
            ^<HOST> x(?=\w)(\w+\s?)*;$
            ^\s*sentinel from <HOST>$
`;

const JAIL = `[DEFAULT]
bantime = 1h
findtime = 10m
maxretry = 3
backend = auto
action = log[path=$DIR/actions.log]

[hostile]
enabled = true
filter = hostile
logpath = $DIR/hostile.log
maxretry = 100

[test]
enabled = true
filter = test
logpath = $DIR/app.log
`;

const A40 = 'a'.repeat(40);
/** Rescued by the linear-time fallback: never abandoned. */
const ASCII_HOSTILE = `1.2.3.4 ${A40}!\n`;
/** The Unicode form of failregex 1: abandoned. */
const UNICODE_HOSTILE = `1.2.3.4 ${A40}\u00e9!\n`;
/** failregex 1 rejects it at once (its ASCII form has the fallback); failregex 2 backtracks. */
const LOOKAHEAD_HOSTILE = `1.2.3.4 x${A40};!\n`;

type Status = { filter: { totalFailed: number; abandonedLines: number } };

const running: DaemonHarness[] = [];
after(async () => {
  for (const h of running) await stopDaemon(h);
});

/**
 * The bound is set well above what an honest line takes on a loaded test machine and far below what a
 * hostile line takes (hours): the test shows behaviour, never a duration.
 */
function dirs(backlog = ''): DaemonHarness {
  const h = makeDaemonDirs(JAIL, { hostile: HOSTILE_FILTER });
  writeFileSync(join(h.config, 'banward.conf'), '[Definition]\ndbpurgeage = 1d\nlinetimeout = 300ms\n');
  writeFileSync(h.log, '');
  writeFileSync(join(h.dir, 'hostile.log'), backlog);
  running.push(h);
  return h;
}

const sentinel = (ip: string): string => failureLine(ip).replace('login failed from', 'sentinel from');

describe('bounded matching', () => {
  it('issue 11 defect 4: lines that backtrack for ever stall neither the control socket nor another jail; the jail abandons them and goes on', async () => {
    const h = dirs();
    await startDaemon(h);
    const hostileLog = join(h.dir, 'hostile.log');
    appendFileSync(hostileLog, ASCII_HOSTILE.repeat(3) + UNICODE_HOSTILE + LOOKAHEAD_HOSTILE + UNICODE_HOSTILE);
    appendFileSync(h.log, failureLine('203.0.113.5').repeat(3));
    await waitFor('the other jail to ban', () => bannedIps(h, 'test').includes('203.0.113.5'));
    assert.equal(client(h, 'ping').code, 0);
    appendFileSync(hostileLog, sentinel('203.0.113.77'));
    await waitFor('the sentinel after the hostile lines', () => clientJson<Status>(h, 'status', 'hostile').filter.totalFailed === 1);
    const status = clientJson<Status>(h, 'status', 'hostile');
    assert.equal(status.filter.abandonedLines, 3, 'the Unicode and lookahead lines are abandoned; the fallback takes the ASCII ones');
    assert.match(client(h, 'status', 'hostile').stdout, /Abandoned lines:\t3/);
    // The daemon logs in order: once the sentinel's line is in its output, so is every warning before it.
    await waitFor('the sentinel in the log', () => h.output.join('').includes('Found 203.0.113.77'));
    const warnings = h.output.join('').split('\n').filter((l) => l.includes('abandoned a line'));
    assert.equal(warnings.length, 1, `logged once a minute per filter:\n${warnings.join('\n')}`);
    assert.match(warnings[0]!, /\[hostile\] abandoned a line after 300 ms in failregex 1: \^<HOST> /);
  });

  it('issue 11 defect 4: with hostile lines in the backlog at start, the sockets answer before the backlog is read', async () => {
    // 10 abandoned lines take at least 10 × 300 ms: no machine reads this backlog before a ping answers.
    const h = dirs(UNICODE_HOSTILE.repeat(10) + sentinel('203.0.113.78'));
    spawnDaemon(h);
    await waitForPing(h);
    const early = clientJson<Status>(h, 'status', 'hostile');
    assert.ok(early.filter.abandonedLines < 10 && early.filter.totalFailed === 0, `answered while the backlog is read: ${JSON.stringify(early)}`);
    await waitFor('the backlog read', () => clientJson<Status>(h, 'status', 'hostile').filter.totalFailed === 1, 120_000);
    assert.equal(clientJson<Status>(h, 'status', 'hostile').filter.abandonedLines, 10);
  });
});
