import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../log/logger.js';
import type { ProcessResult } from '../../process/index.js';
import type { BanTicket } from '../ban-action.js';
import { RouteAction, parseRouteType, routeMetric } from './route-action.js';
import type { Runner } from './_run.js';

const NOW = 1_800_000_000;
const ticket = (ip: string): BanTicket => ({ jail: 'sshd', ip, time: NOW, bantime: 600, banCount: 1, failures: 3, matches: [] });
const ok = (stdout = ''): ProcessResult => ({ ok: true, started: true, code: 0, signal: null, stdout, stderr: '', timedOut: false, truncated: false, reason: null });

/** `ip` as the kernel's listing shows it: routes of several jails and one the admin added. */
function fakeIp(listing: Record<4 | 6, unknown[]>) {
  const calls: Array<{ args: readonly string[]; input?: string }> = [];
  const run: Runner = (_command, args, input) => {
    calls.push({ args, ...(input !== undefined ? { input } : {}) });
    return Promise.resolve(ok(args[0] === '-4' ? JSON.stringify(listing[4]) : args[0] === '-6' ? JSON.stringify(listing[6]) : ''));
  };
  return { calls, run };
}

test('route: one ip -batch per batch, with banward\'s protocol and the jail\'s own metric', async () => {
  const metric = routeMetric('sshd');
  assert.notEqual(metric, routeMetric('nginx'), 'jails have metrics of their own');
  const ip = fakeIp({
    4: [{ type: 'blackhole', dst: '192.0.2.9', metric }, { type: 'blackhole', dst: '192.0.2.10', metric: routeMetric('nginx') }],
    6: [{ type: 'prohibit', dst: '2001:db8::5', metric }],
  });
  const action = new RouteAction({ jail: 'sshd', blocktype: 'blackhole', ipv6prefix: null, clock: () => NOW, log: createLogger({ level: 'error', write: () => {} }), run: ip.run });
  assert.deepEqual(await action.reconcile([ticket('203.0.113.5'), ticket('2001:db8::5'), ticket('198.51.100.0/24')]), { added: 3, removed: 2 });
  const batches = ip.calls.filter((c) => c.args[0] === '-batch');
  assert.equal(batches.length, 1);
  assert.equal(batches[0]!.input, [
    `route del 192.0.2.9/32 proto 66 metric ${metric}`,
    `route del 2001:db8::5/128 proto 66 metric ${metric}`,
    `route replace blackhole 198.51.100.0/24 proto 66 metric ${metric}`,
    `route replace blackhole 203.0.113.5/32 proto 66 metric ${metric}`,
    `route replace blackhole 2001:db8::5/128 proto 66 metric ${metric}`,
  ].join('\n') + '\n', "another jail's route is left alone; a route of the old blocktype is replaced");
  ip.calls.length = 0;
  await action.ban([ticket('203.0.113.6'), ticket('not an address; reboot')]);
  assert.deepEqual(ip.calls.map((c) => c.input), [`route replace blackhole 203.0.113.6/32 proto 66 metric ${metric}\n`], 'only parsed addresses reach ip');
});

test('route: blocktype is blackhole, unreachable or prohibit', () => {
  assert.deepEqual(parseRouteType(undefined), { ok: true, value: 'blackhole' });
  assert.deepEqual(parseRouteType('Unreachable'), { ok: true, value: 'unreachable' });
  for (const bad of ['drop', 'blackhole\nroute flush', '']) assert.equal(parseRouteType(bad).ok, false, bad);
});
