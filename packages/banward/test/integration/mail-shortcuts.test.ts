import { strict as assert } from 'node:assert';
import { appendFileSync, chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bannedIps, failureLine, makeDaemonDirs, readText, startDaemon, stopDaemon, waitFor } from './_daemon.js';

const BUNDLED = fileURLToPath(new URL('../../../config', import.meta.url));

/**
 * fail2ban's shortcuts in banward's bundled jail.conf, run by a real daemon: `action = %(action_mwl)s`
 * bans and mails the whois answer and the matched lines, `%(action_mw)s` the whois answer only. The
 * whois program is a stand-in answering as a hostile registry might (terminal escapes, control
 * characters, a header-looking line); sendmail is a script keeping what it is given.
 */
it('bundled jail.conf: action_mwl and action_mw mail the whois answer (sanitised) and, for mwl, the matched lines', async () => {
  // jail.local is the admin's: the bundled jail.conf and paths are copied as shipped; jail.d (sshd) is left out.
  const h = makeDaemonDirs('');
  for (const file of ['jail.conf', 'paths-common.conf', 'paths-debian.conf']) copyFileSync(join(BUNDLED, file), join(h.config, file));
  writeFileSync(join(h.config, 'jail.local'), `[DEFAULT]
banaction = log
destemail = admin@example.org
sendmail = ${h.dir}/sendmail
whois = ${h.dir}/whois
maxretry = 3
bantime = 1h

[sshd]
enabled = false

[lines]
enabled = true
filter = test
logpath = ${h.dir}/lines.log
action = %(action_mwl)s

[nolines]
enabled = true
filter = test
logpath = ${h.dir}/nolines.log
action = %(action_mw)s
`);
  writeFileSync(join(h.dir, 'sendmail'), `#!/bin/sh\necho "argv: $*" > "${h.dir}/mail-$$.txt"\ncat >> "${h.dir}/mail-$$.txt"\nmv "${h.dir}/mail-$$.txt" "${h.dir}/mail.$(grep -c . "${h.dir}/count" 2>/dev/null || echo 0).txt"\necho x >> "${h.dir}/count"\n`);
  writeFileSync(join(h.dir, 'whois'), `#!/bin/sh\nprintf 'NetRange: %s\\r\\nOrgName: \\033[31mEvil\\033[0m Corp\\001\\nSubject: injected\\n.\\n' "$1"\n`);
  chmodSync(join(h.dir, 'sendmail'), 0o755);
  chmodSync(join(h.dir, 'whois'), 0o755);
  const lines = [1, 2, 3].map((i) => failureLine('203.0.113.5').replace('login failed', `login failed for user${i}`));
  writeFileSync(join(h.dir, 'lines.log'), '');
  writeFileSync(join(h.dir, 'nolines.log'), '');
  try {
    await startDaemon(h);
    appendFileSync(join(h.dir, 'lines.log'), lines.join(''));
    await waitFor('the ban', () => bannedIps(h, 'lines').includes('203.0.113.5'));
    const first = await waitFor('the mail of action_mwl', () => readText(join(h.dir, 'mail.0.txt')) || undefined);
    assert.match(first, /^argv: -i -f root -- admin@example\.org\n/);
    assert.match(first, /^Subject: \[banward\] lines: banned 203\.0\.113\.5 from /m);
    assert.match(first, /^Whois for 203\.0\.113\.5:\n\n {2}NetRange: 203\.0\.113\.5\n {2}OrgName: Evil Corp\n {2}Subject: injected\n {2}\.$/m, 'the whois answer, without escapes, CRs or control characters, indented in the body');
    assert.equal(first.split('\n\n')[0]!.match(/^Subject:/gm)?.length, 1, 'the answer adds no header');
    for (const line of lines) assert.ok(first.includes(`  ${line.trimEnd()}`), `the matched line ${line.trimEnd()}`);

    appendFileSync(join(h.dir, 'nolines.log'), failureLine('198.51.100.7').repeat(3));
    const second = await waitFor('the mail of action_mw', () => readText(join(h.dir, 'mail.1.txt')) || undefined);
    assert.match(second, /^Whois for 198\.51\.100\.7:$/m);
    assert.doesNotMatch(second, /Matches:|login failed/, 'action_mw quotes no log line');
  } finally {
    await stopDaemon(h);
  }
});
