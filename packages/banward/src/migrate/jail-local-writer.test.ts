import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileConfiguration } from '../compile/index.js';
import { writeJailLocal } from './jail-local-writer.js';

/** fail2ban's own action.d, read from Debian's package at run time (it is GPL: never copied into the repo). */
const FAIL2BAN_ACTIONS = '/etc/fail2ban/action.d';
const FILTER = '[Definition]\nfailregex = ^login failed from <HOST>$\n';

/** Each jail's `action =` line as fail2ban has it, compiled, then written as a jail.local and compiled again. */
async function migrate(actions: Record<string, string>) {
  assert.ok(existsSync(FAIL2BAN_ACTIONS), `${FAIL2BAN_ACTIONS} is missing: apt-get install fail2ban (.ci/run does)`);
  const [from, to] = [mkdtempSync(join(tmpdir(), 'banward-writer-from-')), mkdtempSync(join(tmpdir(), 'banward-writer-to-'))];
  cpSync(FAIL2BAN_ACTIONS, join(from, 'action.d'), { recursive: true });
  for (const dir of [from, to]) {
    mkdirSync(join(dir, 'filter.d'), { recursive: true });
    writeFileSync(join(dir, 'filter.d', 'test.conf'), FILTER);
    writeFileSync(join(dir, 'app.log'), '');
  }
  const jail = (name: string, action: string) => `[${name}]\nenabled = true\nfilter = test\nlogpath = ${join(from, 'app.log')}\nport = ssh\naction = ${action}\n`;
  writeFileSync(join(from, 'jail.conf'), Object.entries(actions).map(([name, action]) => jail(name, action)).join('\n'));
  writeFileSync(join(to, 'jail.conf'), '[DEFAULT]\nbantime = 10m\n');
  const theirs = await compileConfiguration(from);
  assert.deepEqual(theirs.problems, []);
  const written = writeJailLocal(theirs.jails, { from, to, disable: [], copy: false });
  writeFileSync(join(to, 'jail.local'), written.text);
  const proof = await compileConfiguration(to);
  assert.deepEqual(proof.problems.map((p) => p.message), [], 'the written jail.local compiles');
  // The written action as the proof compiled it: run here, or unavailable (firewalld, shorewall not running on this machine).
  const entry = (name: string) => {
    const spec = proof.jails.find((j) => j.name === name);
    return spec && [...spec.actions.map((a) => `${a.origin}:${a.entry}`), ...spec.unavailable.map((u) => `unavailable:${u}`)];
  };
  return { written, entry };
}

test('route and hostsdeny: native, with blocktype (fail2ban\'s default unreachable), file and daemon_list carried', async () => {
  const { written, entry } = await migrate({
    r1: 'route', r2: 'route[blocktype=prohibit]', r3: 'route[blocktype=throw]',
    h1: 'hostsdeny', h2: 'hostsdeny[file=/tmp/hosts.deny, daemon_list=sshd]',
  });
  assert.deepEqual(entry('r1'), ['native:route[blocktype=unreachable]']);
  assert.deepEqual(entry('r2'), ['native:route[blocktype=prohibit]']);
  assert.deepEqual(written.leftOut.map((l) => l.jail), ['r3'], 'a route type banward does not make');
  assert.match(written.leftOut[0]!.reason, /blocktype throw/);
  assert.deepEqual(entry('h1'), ['native:hostsdeny[]']);
  assert.deepEqual(entry('h2'), ['native:hostsdeny[file=/tmp/hosts.deny, daemon_list=sshd]']);
  assert.deepEqual(written.notes, []);
});

test('firewallcmd-*: native firewalld; a port-limited one is noted with the jail\'s action file:line, all ports is not', async () => {
  const { written, entry } = await migrate({ f1: 'firewallcmd-ipset', f2: 'firewallcmd-rich-rules[port=22]', f3: 'firewallcmd-allports', f4: 'firewallcmd-multiport', f5: 'firewallcmd-ipset[actiontype=<allports>]' });
  for (const j of ['f1', 'f2', 'f3', 'f4', 'f5']) assert.match(entry(j)!.join(), /^(native:firewalld\[\]|unavailable:.*firewall-cmd)/, j);
  assert.equal((written.text.match(/action = firewalld\[\]/g) ?? []).length, 5);
  assert.deepEqual(written.notes.map((n) => n.jail), ['f1', 'f2', 'f4']);
  assert.match(written.notes[1]!.what, /jail\.conf:\d+: action firewallcmd-rich-rules rejects the jail's ports \(22\).*every port, dropped/);
});

test('shorewall and shorewall-ipset-proto6: native shorewall, with the blrules lines to add', async () => {
  const { written, entry } = await migrate({ s1: 'shorewall', s2: 'shorewall-ipset-proto6' });
  for (const j of ['s1', 's2']) assert.match(entry(j)!.join(), /^(native:shorewall\[\]|unavailable:.*(shorewall|ipset))/, j);
  assert.match(written.text, /\[s2\][^[]*action = shorewall\[\]/);
  assert.deepEqual(written.notes.map((n) => n.jail), ['s1', 's2']);
  assert.match(written.notes[0]!.todo, /DROP net:\+bw-s1-4 all` to \/etc\/shorewall\/blrules/);
});

test('ufw: native nftables with its port, and a note that banward\'s table works beside ufw', async () => {
  const { written, entry } = await migrate({ u: 'ufw[port=2222]' });
  assert.deepEqual(entry('u'), ['native:nftables[port=2222]']);
  assert.match(written.notes[0]!.what, /jail\.conf:\d+: action ufw: banward has no ufw action; it bans with its own nftables table/);
});
