/**
 * kill -9 soak: a real `banward server` with the native nftables action in its own network namespace,
 * banning at a steady rate (a writer appends a failure line for a new address every 20 ms, maxretry 1),
 * is SIGKILLed 50 times at random moments — while banning, and every fifth time while still starting
 * (restore, backlog, with lines still coming) — and restarted. After every kill the database passes `PRAGMA integrity_check` and
 * holds every ban the daemon had logged; after every restart (restore done, writer paused) the nftables
 * set equals the database's active bans.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { it } from 'node:test';
import { failureLine, makeDaemonDirs, startDaemon, waitFor, type DaemonHarness } from './_daemon.js';
import { dbBans, nftSet } from './_firewall-state.js';
import { makeNetPair } from './_netns.js';

const KILLS = 50;

const sameSet = (a: Set<string>, b: Set<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));
const minus = (a: Set<string>, b: Set<string>): string[] => [...a].filter((x) => !b.has(x));

/**
 * Waits until the nftables set equals the database's active bans, which hold every ban the daemon has
 * logged; says what differs when it does not happen.
 */
async function settled(h: DaemonHarness, ns: string, logged: Set<string>, what: string): Promise<Set<string>> {
  try {
    return await waitFor(what, () => {
      const { ips } = dbBans(h);
      return minus(logged, ips).length === 0 && sameSet(nftSet(ns), ips) && ips;
    }, 20_000);
  } catch {
    const { ips } = dbBans(h);
    const set = nftSet(ns);
    assert.fail(`${what}: logged but not in the database ${JSON.stringify(minus(logged, ips).slice(0, 10))}, ` +
      `banned but not in nftables ${JSON.stringify(minus(ips, set).slice(0, 10))}, in nftables only ${JSON.stringify(minus(set, ips).slice(0, 10))}` +
      `\n${h.output.join('').split('\n').slice(-30).join('\n')}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`kill -9 soak: ${KILLS} SIGKILLs while banning lose no committed ban, keep the database sound and the firewall equal to it`, async () => {
  const net = makeNetPair();
  const h = makeDaemonDirs(`[DEFAULT]
bantime = 1h
findtime = 1h
maxretry = 1
backend = auto

[test]
enabled = true
filter = test
logpath = $DIR/app.log
action = nftables[port=8080, protocol=tcp]
`);
  writeFileSync(h.log, '');
  // Addresses 10.100.0.7, 10.100.1.7, …: never adjacent, so the interval set keeps one element each.
  const written: string[] = [];
  let writing = false;
  const writer = setInterval(() => {
    if (!writing) return;
    const k = written.length;
    const addr = `10.${100 + (k >> 8)}.${k & 255}.7`;
    written.push(addr);
    appendFileSync(h.log, failureLine(addr));
  }, 20);
  const logged = new Set<string>();
  let earlyKills = 0;
  let startMs = 0;
  try {
    for (let round = 0; round < KILLS; round++) {
      const early = round % 5 === 4;
      // Without the stale socket the harness only polls for the file until the daemon opens its sockets
      // (after restore and backlog), so the kill timer below fires on time, during the start.
      if (early) rmSync(h.socket, { force: true });
      // Lines keep coming while an early-killed daemon starts; other starts read a log that stands still.
      writing = early;
      const starting = startDaemon(h, [], net.server);
      let answered = false;
      const started = starting.then(() => { answered = true; }, () => undefined);
      const child = h.process!;
      const closed = once(child, 'close');
      if (early) {
        await sleep(Math.random() * 300);
        if (!answered) earlyKills++;
      } else {
        const t0 = Date.now();
        await starting;
        startMs += Date.now() - t0;
        await settled(h, net.server, logged, `round ${round}: after the restart, the nftables set equal to the database`);
        writing = true;
        await sleep(50 + Math.random() * 300);
      }
      child.kill('SIGKILL');
      await closed;
      await started;
      for (const m of h.output.join('').matchAll(/\bBan (\d+\.\d+\.\d+\.\d+)/g)) logged.add(m[1]!);
      const { integrity, ips } = dbBans(h);
      assert.equal(integrity, 'ok', `round ${round}: integrity_check`);
      const lost = [...logged].filter((ip) => !ips.has(ip));
      assert.deepEqual(lost, [], `round ${round}: bans the daemon logged but the database lost`);
    }
    writing = false;
    await startDaemon(h, [], net.server);
    await waitFor('the daemon to catch up with the log', () => h.output.join('').includes(`Ban ${written.at(-1)}`) || h.output.join('').includes(`Found ${written.at(-1)}`));
    const banned = await settled(h, net.server, logged, 'after the last restart');
    assert.ok(logged.size > KILLS, `only ${logged.size} bans logged over ${KILLS} kills: the soak did not ban at a steady rate`);
    // A position is saved only once the lines before it are counted, so a kill never skips a line: every
    // address written (maxretry 1) is banned once the last start has read the log.
    const unbanned = written.filter((ip) => !banned.has(ip));
    assert.deepEqual(unbanned.slice(0, 10), [], `issue 11 kill soak finding: ${unbanned.length} written failure lines were never counted`);
    console.log(`kill-soak: ${KILLS} kills (${earlyKills} before the daemon answered), ${written.length} addresses written, ` +
      `${logged.size} bans logged, ${banned.size} in the database, ` +
      `${Math.round(startMs / (KILLS - KILLS / 5))} ms a start`);
  } finally {
    clearInterval(writer);
    h.process?.kill('SIGKILL');
    net.destroy();
  }
});
