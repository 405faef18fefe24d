import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTrust, resolveClientIp } from './client-ip.js';
import { resolveOptions } from './options.js';
import { BanwardWebError } from './errors.js';
import { withBanward } from '../node/index.js';
import { serve } from '../../test/http.js';

/** Answers with the address the core resolved, over a real socket from 127.0.0.1. */
async function resolvedOver(trustProxy: string[] | false, xff?: string): Promise<string> {
  const server = await serve(withBanward({ trustProxy, lockout: false }, (req, res) => { res.end(String(req.banward.ip)); }));
  try {
    const res = await fetch(server.url, { headers: xff === undefined ? {} : { 'X-Forwarded-For': xff } });
    return await res.text();
  } finally {
    await server.close();
  }
}

test('a spoofed X-Forwarded-For is ignored when no proxy is trusted', async () => {
  assert.equal(await resolvedOver(false, '198.51.100.1'), '127.0.0.1');
});

test('X-Forwarded-For from an untrusted peer is ignored even with other proxies trusted', async () => {
  assert.equal(await resolvedOver(['10.0.0.0/8'], '198.51.100.1'), '127.0.0.1');
});

test('a trusted proxy chain is walked from the right, stopping at the first untrusted hop', async () => {
  // The client forged "198.51.100.1"; the nginx at 10.0.0.2 appended the real client 203.0.113.7.
  assert.equal(await resolvedOver(['loopback', '10.0.0.0/8'], '198.51.100.1, 203.0.113.7, 10.0.0.2'), '203.0.113.7');
});

test('a trusted peer without X-Forwarded-For is the client', async () => {
  assert.equal(await resolvedOver(['loopback']), '127.0.0.1');
});

const CHAINS: [string | undefined, string | undefined, string[], string | null][] = [
  ['::ffff:10.0.0.2', '2001:db8::7', ['10.0.0.0/8'], '2001:db8::7'],
  ['::ffff:203.0.113.9', undefined, [], '203.0.113.9'],
  ['127.0.0.1', 'garbage, 203.0.113.7', ['loopback'], '203.0.113.7'],
  ['127.0.0.1', '203.0.113.7, garbage', ['loopback'], '127.0.0.1'],
  ['127.0.0.1', ',,,', ['loopback'], '127.0.0.1'],
  ['fd00::1', '203.0.113.7', ['uniquelocal'], '203.0.113.7'],
  ['169.254.0.3', '203.0.113.7', ['linklocal'], '203.0.113.7'],
  [undefined, '203.0.113.7', ['loopback'], null],
];

for (const [peer, xff, trust, expected] of CHAINS) {
  test(`peer ${peer} with X-Forwarded-For ${JSON.stringify(xff)} trusting ${trust.join(',') || 'nothing'} is ${expected}`, () => {
    assert.equal(resolveClientIp({ remoteAddress: peer, forwardedFor: xff }, compileTrust(trust)), expected);
  });
}

test('trustProxy: true is refused without forceTrustAll', () => {
  assert.throws(() => resolveOptions({ trustProxy: true }),
    (e: unknown) => e instanceof BanwardWebError && e.code === 'BANWARD_WEB_ERR_TRUST_ALL' && /X-Forwarded-For/.test(e.message));
});

test('trustProxy: true with forceTrustAll warns once with BANWARD_WEB_W001', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    resolveOptions({ trustProxy: true, forceTrustAll: true });
    resolveOptions({ trustProxy: true, forceTrustAll: true });
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.map((w) => (w as Error & { code?: string }).code), ['BANWARD_WEB_W001']);
  assert.match(warnings[0]!.message, /spoof|choose the address/);
});

test('a bad trustProxy entry is refused with a code', () => {
  assert.throws(() => resolveOptions({ trustProxy: ['10.0.0.0/99'] }),
    (e: unknown) => e instanceof BanwardWebError && e.code === 'BANWARD_WEB_ERR_OPTIONS' && /trustProxy/.test(e.message));
});
