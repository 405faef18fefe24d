import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
  ['127.0.0.1', ',,,', ['loopback'], '127.0.0.1'],
  ['127.0.0.1', '203.0.113.7,, ', ['loopback'], '203.0.113.7'],
  ['fd00::1', '203.0.113.7', ['uniquelocal'], '203.0.113.7'],
  ['169.254.0.3', '203.0.113.7', ['linklocal'], '203.0.113.7'],
  [undefined, '203.0.113.7', ['loopback'], null],
];

for (const [peer, xff, trust, expected] of CHAINS) {
  test(`peer ${peer} with X-Forwarded-For ${JSON.stringify(xff)} trusting ${trust.join(',') || 'nothing'} is ${expected}`, () => {
    assert.equal(resolveClientIp({ remoteAddress: peer, forwardedFor: xff }, compileTrust(trust)), expected);
  });
}

// The rightmost entry a trusted proxy wrote, in the forms proxies and load balancers use, and what it is.
const HOPS: [string, string | null][] = [
  ['203.0.113.7:8080', '203.0.113.7'],
  ['203.0.113.7:0', '203.0.113.7'],
  ['[2001:db8::7]:443', '2001:db8::7'],
  ['[2001:DB8::7]', '2001:db8::7'],
  ['[::ffff:203.0.113.8]:80', '203.0.113.8'],
  ['2001:db8::7:80', '2001:db8::7:80'],
  // Leading zeros: inet_aton reads 010 as 8, other parsers as 10; the entry names no one address.
  ['010.000.000.001', null],
  ['203.0.113.007', null],
  ['203.0.113.7:65536', null],
  ['203.0.113.7:80:80', null],
  ['[203.0.113.7]:80', null],
  ['[2001:db8::7]:', null],
  ['2001:db8::7]:80', null],
  ['unknown', null],
  ['_hidden', null],
  ['garbage', null],
  ['\uff11\uff12\uff17.0.0.1', null],
  [`[${':'.repeat(16_000)}`, null],
  [`[${':'.repeat(16_000)}]:1`, null],
];

for (const [hop, expected] of HOPS) {
  test(`issue 11 defect 9: a trusted proxy's hop ${JSON.stringify(hop)} is ${expected ?? 'an unknown client, not the proxy'}`, () => {
    const chain = (xff: string) => resolveClientIp({ remoteAddress: '127.0.0.1', forwardedFor: xff }, compileTrust(['loopback', '10.0.0.0/8']));
    assert.equal(chain(hop), expected);
    assert.equal(chain(`198.51.100.1, ${hop}, 10.0.0.2`), expected, 'the same behind a second trusted proxy');
  });
}

test('issue 11 defect 9: a trusted second proxy that writes its port is walked past', () => {
  const trust = compileTrust(['loopback', '10.0.0.0/8']);
  assert.equal(resolveClientIp({ remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.7, 10.0.0.2:5555' }, trust), '203.0.113.7');
  assert.equal(resolveClientIp({ remoteAddress: '127.0.0.1', forwardedFor: ['203.0.113.7', '[fd00::2]:1'] }, compileTrust(['loopback', 'uniquelocal'])), '203.0.113.7');
});

test('issue 11 defect 9: a trusted proxy\'s unparsable hop over HTTP is an unknown client (ip null)', async () => {
  assert.equal(await resolvedOver(['loopback'], '203.0.113.7, 010.0.0.1'), 'null');
  assert.equal(await resolvedOver(['loopback'], '203.0.113.7:8080'), '203.0.113.7');
});

test('issue 11 defect 9: an unparsable hop warns BANWARD_WEB_W006 once per process, with the entry', () => {
  const script = `import { compileTrust, resolveClientIp } from ${JSON.stringify(new URL('./client-ip.js', import.meta.url).href)};
    for (let i = 0; i < 3; i++) resolveClientIp({ remoteAddress: '127.0.0.1', forwardedFor: '1.2.3.4:99999' }, compileTrust(['loopback']));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.match(/BANWARD_WEB_W006/g)?.length, 1, r.stderr);
  assert.match(r.stderr, /"1\.2\.3\.4:99999"/);
});

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
  // Other tests' warnings (W006) may still be on their way to the listener.
  assert.deepEqual(warnings.map((w) => (w as Error & { code?: string }).code).filter((c) => c === 'BANWARD_WEB_W001'), ['BANWARD_WEB_W001']);
  assert.match(warnings[0]!.message, /spoof|choose the address/);
});

test('a bad trustProxy entry is refused with a code', () => {
  assert.throws(() => resolveOptions({ trustProxy: ['10.0.0.0/99'] }),
    (e: unknown) => e instanceof BanwardWebError && e.code === 'BANWARD_WEB_ERR_OPTIONS' && /trustProxy/.test(e.message));
});
