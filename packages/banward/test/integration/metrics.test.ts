/**
 * The metrics of a real BanwardServer (in-process: the metrics object lives in the daemon): failures
 * written to a watched log show up as banward_* counters and f2b_* gauges, a reload keeps the counters
 * growing, and Debian's `promtool check metrics` accepts the text.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { BanwardServer } from '../../src/daemon/banward-server.js';
import { createLogger } from '../../src/log/logger.js';
import { parseExposition, valueOf, type Exposition } from '../../src/metrics/_test-support.js';
import { failureLine, makeDaemonDirs, waitFor, type DaemonHarness } from './_daemon.js';

const JAIL = `[DEFAULT]
filter = test
maxretry = 2
findtime = 10m
bantime = 1h
ignoreip = 198.51.100.1

[web]
enabled = true
logpath = $DIR/app.log
action = log[path=$DIR/actions.log]
`;

/**
 * promtool's lint findings that the names themselves force: the fail2ban exporter's (f2b_errors is a
 * counter without _total, its _total series are gauges, f2b_jail_count ends in _count) and prom-client's
 * nodejs_active_*_total gauges. Anything else, and any finding on a banward_* series, is a defect.
 */
const INHERITED_LINT = new Set([
  'f2b_errors counter metrics should have "_total" suffix',
  'f2b_jail_banned_total non-counter metrics should not have "_total" suffix',
  'f2b_jail_failed_total non-counter metrics should not have "_total" suffix',
  'f2b_jail_count non-histogram and non-summary metrics should not have "_count" suffix',
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
]);

let h: DaemonHarness;
let server: BanwardServer;
const scrape = async (): Promise<Exposition> => parseExposition(await server.metrics!.render());

before(async () => {
  h = makeDaemonDirs(JAIL);
  writeFileSync(h.log, '');
  // The metrics are built with the HTTP API (a daemon without it loads no prom-client).
  writeFileSync(join(h.dir, 'read.token'), 'metrics-test-token\n', { mode: 0o600 });
  writeFileSync(join(h.config, 'banward.conf'), `[Definition]\ndbpurgeage = 1d\n\n[http]\nenabled = true\nlisten = unix:${join(h.dir, 'http.sock')}\nread_token_file = ${join(h.dir, 'read.token')}\n`);
  server = await BanwardServer.start({
    configDir: h.config, stateDir: h.state, socket: h.socket, appSocket: null,
    log: createLogger({ level: 'warn', write: (line) => h.output.push(line) }),
  });
});

after(async () => {
  await server?.stop();
});

it('failures written to the log become bans in banward_* and f2b_* series; nothing carries an address', async () => {
  appendFileSync(h.log, `${failureLine('198.51.100.1')}unrelated line\n${failureLine('203.0.113.7')}${failureLine('203.0.113.7')}`);
  await waitFor('the ban in the metrics', async () => valueOf(await scrape(), 'banward_bans_total', { jail: 'web' }) === 1);
  await waitFor('the action run', () => readFileSync(h.actions, 'utf8').includes('203.0.113.7'));
  const out = await scrape();
  const web = { jail: 'web' };
  const logBan = { jail: 'web', action: 'log', operation: 'ban' };
  const expected: Array<[string, Record<string, string>, number]> = [
    ['banward_failures_total', web, 2], ['banward_ignored_failures_total', web, 1],
    ['banward_lines_read_total', web, 4], ['banward_lines_matched_total', web, 3],
    ['banward_banned_current', web, 1], ['banward_source_lag_bytes', { ...web, file: h.log }, 0],
    ['banward_actions_run_total', logBan, 1], ['banward_actions_failed_total', logBan, 0],
    ['f2b_jail_count', {}, 1], ['f2b_jail_banned_current', web, 1], ['f2b_jail_banned_total', web, 1], ['f2b_jail_failed_total', web, 2],
    ['f2b_config_jail_ban_time', web, 3600], ['f2b_config_jail_find_time', web, 600], ['f2b_config_jail_max_retries', web, 2],
  ];
  for (const [name, labels, value] of expected) assert.equal(valueOf(out, name, labels), value, `${name}${JSON.stringify(labels)}`);
  assert.ok(valueOf(out, 'banward_match_duration_seconds_count', web) >= 1);
  assert.ok(!out.samples.some((s) => Object.values(s.labels).some((v) => v.includes('203.0.113.7'))), 'no address in a label');
});

it('a reload that rebuilds the jail keeps banward_* counters growing and counts the reload', async () => {
  const before = await scrape();
  writeFileSync(join(h.config, 'jail.conf'), JAIL.replace('maxretry = 2', 'maxretry = 3').replaceAll('$DIR', h.dir));
  assert.deepEqual(await server.reload(), ['web']);
  appendFileSync(h.log, failureLine('203.0.113.8'));
  await waitFor('the new jail\'s failure', async () => valueOf(await scrape(), 'banward_failures_total', { jail: 'web' }) === 3);
  const out = await scrape();
  assert.equal(valueOf(out, 'banward_lines_read_total', { jail: 'web' }), 5, 'the old jail\'s 4 lines carried over');
  assert.equal(valueOf(out, 'banward_reloads_total', { result: 'ok' }), 1);
  assert.equal(valueOf(out, 'f2b_config_jail_max_retries', { jail: 'web' }), 3);
  for (const name of ['banward_lines_matched_total', 'banward_ignored_failures_total', 'banward_match_duration_seconds_count']) {
    assert.ok(valueOf(out, name, { jail: 'web' }) >= valueOf(before, name, { jail: 'web' }), name);
  }
  assert.equal(valueOf(out, 'f2b_jail_banned_total', { jail: 'web' }), 0, 'fail2ban\'s own total restarts with the jail');
});

it('promtool check metrics: the text parses, and its only lint findings are the names compatibility forces', async (t) => {
  const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    assert.notEqual(process.env['CI'], 'true', 'promtool is missing on CI: .ci/run installs Debian\'s prometheus package');
    t.skip('promtool not installed (apt-get install prometheus); CI fails here instead');
    return;
  }
  const text = await server.metrics!.render();
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const findings = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
  assert.ok(check.status === 0 || check.status === 3, `promtool failed (${check.status}): ${findings.join('\n')}`);
  for (const finding of findings) assert.ok(INHERITED_LINT.has(finding.trim()), `promtool: ${finding}`);
});
