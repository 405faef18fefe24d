import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../clock.js';
import { createLogger } from '../../log/logger.js';
import { getOption, loadConfigStack, parseInlineOptions, splitInlineEntries } from '../../config/index.js';
import { ActionDAction } from './action-d-action.js';
import { readActionD, type ActionDefinition } from './action-d-reader.js';
import type { ScriptRunner } from '../../process/index.js';

const log = createLogger({ level: 'error', write: () => undefined });
const t = (ip: string, restored = false) => ({ jail: 'j', ip, time: 1, bantime: 60, banCount: 1, failures: 3, matches: [], restored });

function def(properties: Record<string, string>, extra: Partial<ActionDefinition> = {}): ActionDefinition {
  const ops = ['actionstart', 'actionstop', 'actioncheck', 'actionban', 'actionunban', 'actionflush', 'actionreban', 'actionrepair', 'actionreload'];
  return {
    name: 'x', actname: 'x', files: [], families: [''], startOnDemand: false, norestored: false, repairOnUnban: false, timeout: 5, concurrency: 1,
    properties: { ...Object.fromEntries(ops.map((o) => [o, ''])), ...properties }, ...extra,
  };
}

/** A runner that records scripts and fails those listed in `failing` (once each, when asked). */
function recorder(failing: Map<string, number> = new Map()) {
  const ran: string[] = [];
  const run: ScriptRunner = async (script) => {
    ran.push(script);
    const left = failing.get(script) ?? 0;
    if (left > 0) failing.set(script, left - 1);
    return { ok: left === 0, started: true, code: left === 0 ? 0 : 1, signal: null, timedOut: false, stdout: '', stderr: '', truncated: false, reason: null };
  };
  return { ran, run };
}

test('start, ban in order, unban, flush and stop run as fail2ban runs them', async () => {
  const r = recorder();
  const a = new ActionDAction({ definition: def({ actionstart: 'start', actionstop: 'stop', actionban: 'ban <ip>', actionunban: 'unban <ip>', actionflush: 'flush' }), clock: fixedClock(0), log, run: r.run });
  await a.unban([t('192.0.2.1')]);
  await a.start();
  await a.ban([t('192.0.2.1'), t('192.0.2.2')]);
  await a.unban([t('192.0.2.1')]);
  await a.flush();
  await a.stop();
  assert.deepEqual(r.ran, ['start', 'ban 192.0.2.1', 'ban 192.0.2.2', 'unban 192.0.2.1', 'flush', 'stop']);
});

test('families start on demand, once each; norestored skips restored bans', async () => {
  const r = recorder();
  const d = def({ actionstart: 'start <family>', actionban: 'ban <ip>', 'actionban?family=inet6': 'ban6 <ip>', actionstop: 'stop' },
    { families: ['inet4', 'inet6'], startOnDemand: true, norestored: true });
  const a = new ActionDAction({ definition: d, clock: fixedClock(0), log, run: r.run });
  await a.start();
  await a.ban([t('192.0.2.1'), t('2001:db8::1'), t('192.0.2.2'), t('192.0.2.3', true)]);
  await a.stop();
  assert.deepEqual(r.ran, ['start inet4', 'ban 192.0.2.1', 'start inet6', 'ban6 2001:db8::1', 'ban 192.0.2.2', 'stop']);
});

test('a failed ban runs actioncheck, then actionrepair, then bans again', async () => {
  const r = recorder(new Map([['ban 192.0.2.1', 1], ['check', 1]]));
  const a = new ActionDAction({ definition: def({ actioncheck: 'check', actionrepair: 'repair', actionban: 'ban <ip>' }), clock: fixedClock(0), log, run: r.run });
  await a.start();
  await a.ban([t('192.0.2.1')]);
  assert.deepEqual(r.ran, ['ban 192.0.2.1', 'check', 'repair', 'check', 'ban 192.0.2.1']);
});

test('a ban that keeps failing is tried twice, reported, and the other tickets still run', async () => {
  const r = recorder(new Map([['ban 192.0.2.1', 9]]));
  const a = new ActionDAction({ definition: def({ actionban: 'ban <ip>' }), clock: fixedClock(0), log, run: r.run });
  await assert.rejects(a.ban([t('192.0.2.1'), t('192.0.2.2')]), /ban failed for 192\.0\.2\.1$/);
  assert.deepEqual(r.ran, ['ban 192.0.2.1', 'ban 192.0.2.1', 'ban 192.0.2.2']);
});

test('without actionflush, flush unbans each ban', async () => {
  const r = recorder();
  const a = new ActionDAction({ definition: def({ actionban: 'ban <ip>', actionunban: 'unban <ip>' }), clock: fixedClock(0), log, run: r.run });
  await a.ban([t('192.0.2.1'), t('192.0.2.2')]);
  await a.flush();
  assert.deepEqual(r.ran.slice(2), ['unban 192.0.2.1', 'unban 192.0.2.2']);
});

test('a command is killed after its timeout', async () => {
  const a = new ActionDAction({ definition: def({ actionban: 'sleep 30' }, { timeout: 0.3 }), clock: fixedClock(0), log });
  const started = Date.now();
  await assert.rejects(a.ban([t('192.0.2.1')]));
  assert.ok(Date.now() - started < 3000);
});

test("jail.conf's %(action_)s, %(action_mw)s, %(action_mwl)s and friends name actions that read", () => {
  const jail = loadConfigStack('/etc/fail2ban', 'jail');
  assert.ok(jail);
  for (const shortcut of ['action_', 'action_mw', 'action_mwl', 'action_xarf', 'action_abuseipdb']) {
    const value = getOption(jail, 'sshd', shortcut)?.value.text ?? '';
    for (const entry of splitInlineEntries(value)) {
      const { name, options } = parseInlineOptions(entry);
      const d = readActionD('/etc/fail2ban', name.trim(), options, { jail: 'sshd', jailOptions: { port: 'ssh' } });
      assert.ok(d.properties['actionban'] !== undefined, `${shortcut}: ${name}`);
    }
  }
});

/** A runner whose commands take a turn of the event loop each; records how many ran at once. */
function overlapping(failing: Set<string> = new Set()) {
  const ran: string[] = [];
  let running = 0;
  const peak = { value: 0 };
  const run: ScriptRunner = async (script) => {
    ran.push(script);
    running++;
    peak.value = Math.max(peak.value, running);
    await new Promise((r) => setImmediate(r));
    running--;
    const ok = !failing.has(script);
    return { ok, started: true, code: ok ? 0 : 1, signal: null, timedOut: false, stdout: '', stderr: '', truncated: false, reason: null };
  };
  return { ran, run, peak };
}

test('issue 13: with concurrency, a batch runs that many actionban commands at once; default, one at a time', async () => {
  const ips = Array.from({ length: 20 }, (_, i) => `192.0.2.${i + 1}`);
  for (const [concurrency, expected] of [[1, 1], [8, 8]] as const) {
    const r = overlapping();
    const a = new ActionDAction({ definition: def({ actionban: 'ban <ip>', actionunban: 'unban <ip>' }, { concurrency }), clock: fixedClock(0), log, run: r.run });
    await a.start();
    await a.ban(ips.map((ip) => t(ip)));
    assert.equal(r.peak.value, expected);
    assert.deepEqual(new Set(r.ran), new Set(ips.map((ip) => `ban ${ip}`)));
    await a.unban(ips.map((ip) => t(ip)));
    assert.equal(r.ran.filter((s) => s.startsWith('unban')).length, 20);
  }
});

test('issue 13: concurrent bans of one family start it on demand once; failures repair one at a time and name every address', async () => {
  const r = overlapping(new Set(['ban 192.0.2.2', 'ban 192.0.2.3']));
  const d = def({ actionstart: 'start <family>', actioncheck: 'check', actionrepair: 'repair', actionban: 'ban <ip>' }, { families: ['inet4', 'inet6'], startOnDemand: true, concurrency: 4 });
  const a = new ActionDAction({ definition: d, clock: fixedClock(0), log, run: r.run });
  await a.start();
  await assert.rejects(a.ban(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'].map((ip) => t(ip))), /ban failed for 192\.0\.2\.2 192\.0\.2\.3$/);
  assert.equal(r.ran.filter((s) => s === 'start inet4').length, 1);
  assert.equal(r.ran.filter((s) => s === 'ban 192.0.2.2').length, 2);
  const repairIndex = r.ran.indexOf('check');
  assert.ok(repairIndex > 0, 'a failed ban runs actioncheck');
  assert.equal(r.ran.filter((s) => s === 'ban 192.0.2.1' || s === 'ban 192.0.2.4').length, 2);
});

test('issue 13: concurrency is read from the action (inline or [Init]) and bounded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-concurrency-'));
  mkdirSync(join(dir, 'action.d'));
  writeFileSync(join(dir, 'action.d', 'fast.conf'), '[Definition]\nactionban = nft add element inet f addr-set { <ip> }\n[Init]\nconcurrency = 8\n');
  try {
    assert.equal(readActionD(dir, 'fast', {}, { jail: 'j' }).concurrency, 8);
    assert.equal(readActionD(dir, 'fast', { concurrency: '2' }, { jail: 'j' }).concurrency, 2);
    assert.throws(() => readActionD(dir, 'fast', { concurrency: '1000' }, { jail: 'j' }), /concurrency must be a whole number from 1 to 64/);
    assert.throws(() => readActionD(dir, 'fast', { concurrency: 'lots' }, { jail: 'j' }), (e: Error & { code?: string }) => e.code === 'BANWARD_ERR_CONFIG_VALUE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
