import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileShellTemplate } from './_shell-template.js';
import { actionDProblems } from './action-d-action.js';
import { operationText, readActionD } from './action-d-reader.js';
import { isDynamicTag, renderTemplate, reverseName, tagValues, unsafePlacements, type ActionDTicket } from './dynamic-tags.js';

const EVIL = `x'; touch /tmp/never-$$ ;' "$(id)" \`id\` \\ ~!id\n; rm -rf / #`;
const ticket: ActionDTicket = {
  jail: 'sshd', ip: '192.0.2.7', time: 1700000000, bantime: 600, banCount: 2, failures: 5,
  matches: [EVIL, 'second line'], data: { user: EVIL },
};

function render(text: string, t: ActionDTicket = ticket, family = 'inet4') {
  return renderTemplate(compileShellTemplate(text, isDynamicTag), tagValues(t, family, 0));
}

/** Runs the rendered script and returns what it printed. */
function sh(text: string): string {
  const { script, env } = render(text);
  return execFileSync('/bin/sh', ['-c', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

test('each quoting context gets a reference that is correct there', () => {
  const cases: [string, string][] = [
    ['echo <matches>', 'echo "${F2B_MATCHES}"'],
    ['echo "m=<matches>."', 'echo "m=${F2B_MATCHES}."'],
    ["echo 'm=<matches>.'", `echo 'm='"\${F2B_MATCHES}"'.'`],
    ['cat <<EOF\n<matches>\nEOF', 'cat <<EOF\n${F2B_MATCHES}\nEOF'],
    ['echo `echo <F-USER>`', 'echo `echo "${F2B_F_USER}"`'],
    ['echo "$(printf %s <matches>)"', 'echo "$(printf %s "${F2B_MATCHES}")"'],
    ['echo hi # <matches>', 'echo hi # '],
  ];
  for (const [input, want] of cases) assert.equal(render(input).script, want, input);
});

test('foreign values reach the command intact and never run', () => {
  const want = `${EVIL}\nsecond line`;
  assert.equal(sh('printf %s <matches>'), want);
  assert.equal(sh('printf %s "<matches>"'), want);
  assert.equal(sh("printf %s '<matches>'"), want);
  assert.equal(sh('printf %s "$(printf %s <F-USER>)"'), EVIL);
  assert.equal(sh('cat <<EOF\n<F-USER>\nEOF'), `${EVIL}\n`);
  assert.equal(sh('printf "%s|" <F-MISSING> end'), 'end|');
});

test('safe values are written in; the ticket address is checked', () => {
  assert.equal(render('ban <ip> <family> <ip-rev> <bantime> <failures> <bancount> <time>').script,
    'ban 192.0.2.7 inet4 7.2.0.192. 600 5 2 1700000000');
  assert.equal(render('<ip>', { ...ticket, ip: '2001:db8::7' }, 'inet6').script, '2001:db8::7');
  assert.throws(() => render('<ip>', { ...ticket, ip: '1.2.3.4;id' }), /not an IP address/);
  assert.equal(reverseName('2001:db8::7').split('.').length, 33);
  assert.deepEqual(render('<fid>', { ...ticket, data: { fid: '192.0.2.7' } }).env, {});
  assert.deepEqual(render('<fid>', { ...ticket, data: { fid: 'root;id' } }).env, { F2B_FID: 'root;id' });
});

test('a foreign value where no quoting can hold it is refused', () => {
  for (const text of ['echo \\<matches>', "cat <<'EOF'\n<matches>\nEOF", 'echo $((<F-USER> + 1))']) {
    const template = compileShellTemplate(text, isDynamicTag);
    assert.equal(unsafePlacements(template).length, 1, text);
    assert.throws(() => render(text), /no value can be passed safely/);
  }
  assert.equal(render('echo $((<failures> + 1))').script, 'echo $((5 + 1))');
});

test('conditional family options choose the command per family', () => {
  const def = readActionD('/etc/fail2ban', 'hostsdeny', { file: '/tmp/deny' }, { jail: 'sshd', ipv6: true });
  const hosts = { fq: 'h', sh: 'h' };
  assert.deepEqual(def.families, ['inet4', 'inet6']);
  assert.equal(def.startOnDemand, true);
  assert.match(operationText(def, 'actionban', 'inet4', hosts), /ALL: <ip>\\n" >> \/tmp\/deny$/);
  assert.match(operationText(def, 'actionban', 'inet6', hosts), /ALL: \[<ip>\]\\n" >> \/tmp\/deny$/);
});

test('every stock action can carry foreign values safely', () => {
  const names = readdirSync('/etc/fail2ban/action.d').filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5));
  const unsafe = names.flatMap((n) => actionDProblems(readActionD('/etc/fail2ban', n, {}, { jail: 'j' })).map((p) => `${n}: ${p}`));
  assert.deepEqual(unsafe, []);
});
