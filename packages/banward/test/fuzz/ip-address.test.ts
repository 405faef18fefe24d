/**
 * Address and CIDR parsing (src/net/ip-address.ts: ignoreip, bans, firewall listings) differential against
 * Python's ipaddress: `ip_address(text)`, or `ip_network(text, strict=False)` when there is a `/`. Same
 * accept/refuse and the same canonical text, except where banward differs on purpose:
 * - `[v6]` in brackets is read (log lines write IPv6 so, and fail2ban's IPAddr strips them too);
 * - an IPv4-mapped address `::ffff:a.b.c.d` is the IPv4 address (one client, one key); as a network it
 *   stays IPv6 and is written with the dotted tail;
 * - a zone id (`fe80::1%eth0`) is refused: a firewall set holds no scope, and inet_pton (fail2ban) refuses it;
 * - a host mask after the slash (`/0.0.0.255`) is refused: fail2ban reads netmasks (`/255.255.255.0`) only;
 * - a full-length prefix is written as the bare address (`1.2.3.4/32` is `1.2.3.4`).
 */
import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { formatIp, parseIp } from '../../src/net/ip-address.js';
import { fuzzBudget } from './_budget.js';
import { PythonOracle } from './_python-oracle.js';

const ORACLE = String.raw`
import ipaddress
def mapped(addr):
    m = getattr(addr, 'ipv4_mapped', None)
    return None if m is None else '::ffff:' + str(m)
def one(text):
    inner = text[1:-1] if len(text) > 2 and text[0] == '[' and text[-1] == ']' else text
    try:
        if '/' in inner:
            net = ipaddress.ip_network(inner, strict=False)
        else:
            addr = ipaddress.ip_address(inner)
            if getattr(addr, 'scope_id', None):
                return {'refuse': 'zone id'}
            if getattr(addr, 'ipv4_mapped', None) is not None:
                return {'text': str(addr.ipv4_mapped)}
            return {'text': str(addr)}
    except ValueError:
        return None
    if '%' in inner:
        return {'refuse': 'zone id'}
    mask = inner.split('/', 1)[1]
    if '.' in mask and int(ipaddress.IPv4Address(mask)) != int(net.netmask):
        return {'refuse': 'host mask'}
    base = mapped(net.network_address) or str(net.network_address)
    return {'text': base if net.prefixlen == net.max_prefixlen else '%s/%d' % (base, net.prefixlen)}
def handle(req):
    return [one(t) for t in req]
`;

const oracle = new PythonOracle(ORACLE, 'ipaddress');
after(() => oracle.close());

const octet = fc.constantFrom('0', '1', '9', '10', '00', '01', '127', '192', '255', '256', '010', '999', '1e1', '0x1', ' 1', '');
const ipv4 = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')) },
  { weight: 1, arbitrary: fc.array(octet, { minLength: 1, maxLength: 6 }).map((o) => o.join('.')) },
);
const hextet = fc.constantFrom('0', '1', 'a', 'db8', '2001', 'fe80', 'ffff', 'FFFF', '0000', '00000', '12345', 'g', 'abcd', '');
const ipv6 = fc
  .tuple(
    fc.array(hextet, { maxLength: 9 }),
    fc.option(fc.nat(9)),
    fc.option(fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')), { freq: 3 }),
    fc.option(fc.constantFrom('%eth0', '%1', '%'), { freq: 6 }),
  )
  .map(([groups, gap, v4, zone]) => {
    const parts = [...groups];
    if (gap !== null) parts.splice(Math.min(gap, parts.length), 0, '');
    let text = parts.join(':');
    if (gap !== null && !text.includes('::')) text = text.startsWith(':') || text === '' ? `:${text}` : `${text}:`;
    if (v4 !== null) text += `${text.endsWith(':') ? '' : ':'}${v4}`;
    return text + (zone ?? '');
  });
const known = fc.constantFrom(
  '::', '::1', '::ffff:1.2.3.4', '::ffff:0:0', '::1.2.3.4', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
  '1:2:3:4:5:6:1.2.3.4', '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', '0:0:0:0:0:ffff:102:304', '64:ff9b::1.2.3.4', '2001:db8::',
);
const address = fc.oneof(ipv4, ipv6, known);
const suffix = fc.constantFrom(
  '0', '1', '8', '24', '31', '32', '33', '64', '96', '120', '127', '128', '129', '-1', '024', '0024', '', 'a', ' 24', '24 ',
  '255.255.255.0', '255.255.0.0', '0.0.0.255', '255.0.255.0', '0.0.0.0', '255.255.255.255', '1e1',
);
const text = fc
  .tuple(
    address,
    fc.option(suffix, { freq: 2 }),
    fc.constantFrom('', '', '', '[]', ' ', '\t', '\n'),
  )
  .map(([a, s, wrap]) => {
    const core = s === null ? a : `${a}/${s}`;
    if (wrap === '[]') return `[${core}]`;
    return wrap === '\n' ? `${core}\n` : `${wrap}${core}`;
  });

type Expected = { text?: string; refuse?: string } | null;

test('fuzz: parseIp/formatIp accept, refuse and canonicalise as Python ipaddress does', async () => {
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 20 }), async (texts) => {
      const expected = await oracle.ask<Expected[]>(texts);
      texts.forEach((t, i) => {
        const ip = parseIp(t);
        const want = expected[i] === null || expected[i]!.refuse !== undefined ? null : expected[i]!.text!;
        assert.equal(ip === null ? null : formatIp(ip), want, `${JSON.stringify(t)} (python: ${JSON.stringify(expected[i])})`);
        if (want === null) refused++; else accepted++;
      });
    }),
    fuzzBudget({ includeErrorInReport: true }),
  );
  assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}: the generator must produce both`);
});
