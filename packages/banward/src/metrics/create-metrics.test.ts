import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createMetrics } from './create-metrics.js';
import { ATTACKER, fakeControl, familyOf, parseExposition, valueOf, type Exposition } from './_test-support.js';

async function scrape(metrics: { render(): Promise<string> }): Promise<Exposition> {
  return parseExposition(await metrics.render());
}

test('every family has HELP and TYPE, every sample parses and belongs to one', async () => {
  const { control } = fakeControl();
  const metrics = createMetrics(control);
  const text = await metrics.render();
  assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
  const out = parseExposition(text);
  for (const s of out.samples) {
    const family = familyOf(out, s.name);
    assert.ok(family, `${s.name} has a TYPE`);
    assert.ok(out.help.has(family), `${family} has a HELP`);
  }
  assert.ok(out.samples.some((s) => s.name === 'process_cpu_user_seconds_total'), 'process metrics under their standard names');
  assert.ok(out.samples.some((s) => s.name.startsWith('nodejs_')));
  metrics.close();
});

test('banward series: events become counters, pipeline counters and gauges are read at scrape time', async () => {
  const { control, emit } = fakeControl();
  const metrics = createMetrics(control, { processMetrics: false });
  const zero = await scrape(metrics);
  assert.equal(valueOf(zero, 'banward_bans_total', { jail: 'sshd' }), 0, 'every jail has its series from the start');
  assert.equal(valueOf(zero, 'banward_failures_total', { jail: 'sshd' }), 2, "the jail's own count, read at scrape time (no found event is needed)");
  assert.equal(valueOf(zero, 'banward_unbans_total', { jail: 'web-login', reason: 'expired' }), 0);
  assert.equal(valueOf(zero, 'banward_reloads_total', { result: 'refused' }), 0);
  emit({ type: 'ban', jail: 'sshd', ip: ATTACKER, time: 1, bantime: 600, banCount: 1, failures: 3 });
  emit({ type: 'unban', jail: 'sshd', ip: ATTACKER, time: 2, reason: 'lifted' });
  emit({ type: 'reload', jails: ['sshd'], time: 3 });
  emit({ type: 'reload-refused', message: 'broken', time: 4 });
  const out = await scrape(metrics);
  assert.equal(out.type.get('banward_failures_total'), 'counter');
  assert.equal(valueOf(out, 'banward_failures_total', { jail: 'sshd' }), 2);
  assert.equal(valueOf(out, 'banward_bans_total', { jail: 'sshd' }), 1);
  assert.equal(valueOf(out, 'banward_unbans_total', { jail: 'sshd', reason: 'lifted' }), 1);
  assert.equal(valueOf(out, 'banward_reloads_total', { result: 'ok' }), 1);
  assert.equal(valueOf(out, 'banward_reloads_total', { result: 'refused' }), 1);
  assert.equal(valueOf(out, 'banward_lines_read_total', { jail: 'sshd' }), 10);
  assert.equal(valueOf(out, 'banward_lines_matched_total', { jail: 'sshd' }), 5);
  assert.equal(valueOf(out, 'banward_ignored_failures_total', { jail: 'sshd' }), 1);
  assert.equal(valueOf(out, 'banward_lines_abandoned_total', { jail: 'sshd' }), 0);
  assert.equal(valueOf(out, 'banward_actions_run_total', { jail: 'sshd', action: 'nftables', operation: 'ban' }), 2);
  assert.equal(valueOf(out, 'banward_actions_failed_total', { jail: 'sshd', action: 'nftables', operation: 'ban' }), 1);
  assert.equal(valueOf(out, 'banward_banned_current', { jail: 'sshd' }), 1);
  assert.equal(valueOf(out, 'banward_failed_current', { jail: 'sshd' }), 1);
  assert.equal(valueOf(out, 'banward_jail_enforced', { jail: 'sshd' }), 1);
  assert.equal(valueOf(out, 'banward_jail_enforced', { jail: 'web-login' }), 0);
  assert.equal(valueOf(out, 'banward_source_lag_bytes', { jail: 'sshd', file: '/var/log/auth "main".log\n' }), 42, 'a hostile file name is escaped and read back');
  assert.equal(out.type.get('banward_match_duration_seconds'), 'histogram');
  const bucket = (le: string) => valueOf(out, 'banward_match_duration_seconds_bucket', { jail: 'sshd', le });
  assert.deepEqual([bucket('0.001'), bucket('0.01'), bucket('+Inf')], [10, 11, 11], 'buckets are cumulative');
  assert.equal(valueOf(out, 'banward_match_duration_seconds_count', { jail: 'sshd' }), 11);
  assert.equal(valueOf(out, 'banward_match_duration_seconds_sum', { jail: 'sshd' }), 0.005);
  const labelValues = out.samples.flatMap((s) => Object.values(s.labels));
  assert.ok(!labelValues.some((v) => v.includes(ATTACKER)), 'no address in any label');
  metrics.close();
});

test('the f2b_* series of fail2ban-prometheus-exporter: names, labels, types and help texts', async () => {
  const { control } = fakeControl();
  const metrics = createMetrics(control, { processMetrics: false });
  const out = await scrape(metrics);
  assert.equal(valueOf(out, 'f2b_up'), 1);
  assert.equal(valueOf(out, 'f2b_jail_count'), 2);
  const perJail = {
    f2b_jail_failed_current: 1, f2b_jail_failed_total: 2, f2b_jail_banned_current: 1, f2b_jail_banned_total: 3,
    f2b_config_jail_ban_time: 600, f2b_config_jail_find_time: 300, f2b_config_jail_max_retries: 5,
  };
  for (const [name, value] of Object.entries(perJail)) {
    assert.equal(out.type.get(name), 'gauge', name);
    assert.equal(valueOf(out, name, { jail: 'web-login' }), value, name);
  }
  assert.equal(out.help.get('f2b_jail_banned_total'), 'Total number of IPs banned by this jail (includes expired bans)');
  assert.equal(out.help.get('f2b_config_jail_find_time'), 'How far back will the filter look for failures in this jail (in seconds)');
  assert.equal(out.type.get('f2b_errors'), 'counter');
  assert.equal(valueOf(out, 'f2b_errors', { type: 'socket_conn' }), 0);
  assert.equal(valueOf(out, 'f2b_errors', { type: 'socket_req' }), 0);
  assert.match(out.samples.find((s) => s.name === 'f2b_version')!.labels['exporter'] ?? '', /^banward-\d/);
  metrics.close();
});

test('counters only grow across scrapes, a jail rebuilt by a reload included; a jail gone leaves its gauges', async () => {
  const { control, counters, countersOf, jails } = fakeControl();
  const metrics = createMetrics(control, { processMetrics: false });
  const first = await scrape(metrics);
  counters.set('sshd', countersOf('sshd', 4, 1));
  const rebuilt = await scrape(metrics);
  counters.set('sshd', countersOf('sshd', 6, 3));
  const later = await scrape(metrics);
  const counterFamilies = [...first.type].filter(([, type]) => type === 'counter' || type === 'histogram').map(([name]) => name);
  for (const [before, after] of [[first, rebuilt], [rebuilt, later]] as const) {
    for (const s of before.samples) {
      const family = familyOf(before, s.name);
      if (!family || !counterFamilies.includes(family)) continue;
      const next = after.samples.find((n) => n.name === s.name && JSON.stringify(n.labels) === JSON.stringify(s.labels));
      assert.ok(next && next.value >= s.value, `${s.name}${JSON.stringify(s.labels)} went from ${s.value} to ${next?.value}`);
    }
  }
  assert.equal(valueOf(later, 'banward_lines_read_total', { jail: 'sshd' }), 16, 'the old jail\'s 10 lines carried over');
  jails.delete('web-login');
  const gone = await scrape(metrics);
  assert.throws(() => valueOf(gone, 'banward_banned_current', { jail: 'web-login' }), /0 samples/);
  assert.equal(valueOf(gone, 'f2b_jail_count'), 1);
  metrics.close();
});

test('a jail that goes away during a scrape is counted in f2b_errors and the rest is served', async () => {
  const { control } = fakeControl();
  const names = control.jailNames.bind(control);
  control.jailNames = () => [...names(), 'reloading'];
  const metrics = createMetrics(control, { processMetrics: false });
  const out = await scrape(metrics);
  assert.equal(valueOf(out, 'f2b_errors', { type: 'socket_req' }), 1);
  assert.equal(valueOf(out, 'f2b_jail_count'), 2);
  assert.equal(valueOf(parseExposition(await metrics.render()), 'f2b_errors', { type: 'socket_req' }), 2, 'errors add up');
  metrics.close();
});

test('overlapping scrapes agree; close() stops listening', async () => {
  const { control, listening } = fakeControl();
  const metrics = createMetrics(control, { processMetrics: false });
  const [a, b] = await Promise.all([metrics.render(), metrics.render()]);
  assert.equal(a, b);
  assert.ok(listening());
  metrics.close();
  assert.ok(!listening());
});
