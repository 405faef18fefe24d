/**
 * Stock actions in /etc/fail2ban/action.d must give the commands fail2ban gives: its ActionReader
 * reads the file for a jail, its CommandAction resolves each operation per family, and its
 * replaceDynamicTags fills a sample ticket in. The expected values come from the installed fail2ban,
 * run at test time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileShellTemplate } from './_shell-template.js';
import { OPERATIONS, operationText, readActionD, type HostNames } from './action-d-reader.js';
import { isDynamicTag, renderTemplate, tagValues } from './dynamic-tags.js';
import { findFail2banPython } from '../../../test/_fail2ban-python.js';

const CONFIG_DIR = '/etc/fail2ban';
const TICKET_OPS = new Set(['actionban', 'actionunban', 'actionreban', 'actionprolong']);
const IPS = { inet4: '192.0.2.7', inet6: '2001:db8::7' } as const;

type Case = [name: string, inline: Record<string, string>, jailOptions: Record<string, string>, jail: string];

/** Prints {"hosts": {...}, "cases": {key: {op|family: command}}}. */
const PYTHON = String.raw`
import json, sys
from fail2ban.client.actionreader import ActionReader
from fail2ban.server.action import CommandAction
from fail2ban.server.ipdns import IPAddr, DNSUtils
basedir, ops, ticketops, ips = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])
out = {'hosts': {'fq': DNSUtils.getHostname(fqdn=True), 'sh': DNSUtils.getHostname(fqdn=False)}, 'ipv6': bool(DNSUtils.IPv6IsAllowed()), 'cases': {}}
for name, inline, popts, jail in json.loads(sys.stdin.read()):
    r = ActionReader(name, jail, dict(inline), basedir=basedir)
    if not r.read():
        raise SystemExit('fail2ban could not read action %s' % name)
    r.getOptions(dict(popts))
    a = CommandAction(None, name)
    for cmd in r.convert()[1:]:
        pairs = cmd[4] if cmd[0] == 'multi-set' else [cmd[4:6]]
        for k, v in pairs:
            setattr(a, k, v)
    res = {'actname': r.getName(), 'families': a._families, 'ondemand': bool(a._startOnDemand),
           'norestored': bool(getattr(a, 'norestored', False)), 'timeout': a.timeout}
    for fam in ('', 'inet4', 'inet6'):
        for op in ops:
            if op in ticketops:
                if not fam: continue
                ip = IPAddr(ips[fam])
                info = {'ip': ips[fam], 'family': fam, 'ip-rev': ip.getPTR(''), 'fid': ips[fam], 'failures': 5,
                        'time': 1700000000, 'bantime': 600, 'bancount': 2, 'restored': 0, 'matches': '', 'ipmatches': '', 'ipjailmatches': '',
                        'ipfailures': 5, 'ipjailfailures': 5, 'ip-host': '', 'F-*': {}}
                c = a.replaceTag('<%s>' % op, a._properties, conditional='family=' + fam, cache=a._substCache)
                c = a.replaceDynamicTags(c, info)
            else:
                c = a._getOperation('<%s>' % op, fam)
            res[op + '|' + fam] = c
    out['cases'][json.dumps([name, inline, popts, jail], separators=(',', ':'))] = res
print(json.dumps(out))
`;


function ours(c: Case, hosts: HostNames, ipv6: boolean): Record<string, unknown> {
  const [name, inline, jailOptions, jail] = c;
  const def = readActionD(CONFIG_DIR, name, inline, { jail, jailOptions, ipv6 });
  const res: Record<string, unknown> = {
    actname: def.actname, families: def.families, ondemand: def.startOnDemand, norestored: def.norestored, timeout: def.timeout,
  };
  for (const family of ['', 'inet4', 'inet6'] as const) {
    for (const op of OPERATIONS) {
      const text = operationText(def, op, family, hosts);
      if (TICKET_OPS.has(op)) {
        if (!family) continue;
        const ticket = { jail, ip: IPS[family], time: 1700000000, bantime: 600, banCount: 2, failures: 5, matches: [] };
        const rendered = renderTemplate(compileShellTemplate(text, isDynamicTag), tagValues(ticket, family, 0));
        assert.deepEqual(rendered.env, {}, `${name} ${op}: a sample ticket needs no environment`);
        res[`${op}|${family}`] = rendered.script;
      } else {
        res[`${op}|${family}`] = family ? text.replaceAll('<family>', family) : text;
      }
    }
  }
  return res;
}

function compare(t: { diagnostic(m: string): void }, cases: Case[]): void {
  const python = findFail2banPython('fail2ban.client.actionreader');
  const stdout = execFileSync(
    python,
    ['-c', PYTHON, CONFIG_DIR, JSON.stringify(OPERATIONS), JSON.stringify([...TICKET_OPS]), JSON.stringify(IPS)],
    { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const expected = JSON.parse(stdout) as { hosts: HostNames; ipv6: boolean; cases: Record<string, Record<string, unknown>> };
  const mismatches: string[] = [];
  for (const c of cases) {
    try {
      assert.deepEqual(ours(c, expected.hosts, expected.ipv6), expected.cases[JSON.stringify(c)]);
    } catch (e) {
      mismatches.push(`${JSON.stringify(c)}: ${(e as Error).message}`);
    }
  }
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${cases.length} differ:\n${mismatches.join('\n')}`);
  t.diagnostic(`${cases.length} action/option sets agree with fail2ban`);
}

const JAIL = { port: 'ssh', protocol: 'tcp', chain: 'INPUT', bantime: '600' };

test('the common actions read and fill in as fail2ban does', (t) => {
  const names = [
    'iptables', 'iptables-multiport', 'iptables-allports', 'iptables-ipset', 'nftables', 'nftables-multiport',
    'nftables-allports', 'ufw', 'hostsdeny', 'route', 'sendmail-whois', 'dummy',
  ];
  const cases: Case[] = names.flatMap((n): Case[] => [
    [n, {}, {}, 'sshd'],
    [n, { port: 'ssh', protocol: 'tcp', chain: 'INPUT' }, JAIL, 'sshd'],
    [n, { name: 'SSH', port: 'ssh,2222', protocol: 'tcp' }, JAIL, 'sshd'],
  ]);
  cases.push(['hostsdeny', { file: '/tmp/hosts.deny', daemon_list: 'sshd' }, JAIL, 'sshd']);
  cases.push(['dummy', { target: '/tmp/dummy.txt', timeout: '2m' }, JAIL, 'recidive']);
  compare(t, cases);
});

test('every stock action reads and fills in as fail2ban does', (t) => {
  const names = readdirSync(`${CONFIG_DIR}/action.d`)
    .filter((f) => f.endsWith('.conf') && !/-common\.conf$/.test(f))
    .map((f) => f.slice(0, -5))
    .sort();
  assert.ok(names.length > 50, `expected the stock actions in ${CONFIG_DIR}/action.d`);
  compare(t, names.map((n): Case => [n, { port: 'http,https' }, JAIL, 'apache-auth']));
});
