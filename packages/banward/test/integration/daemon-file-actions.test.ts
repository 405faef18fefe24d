import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { bannedIps, client, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor } from './_daemon.js';

const ADMIN = "# the admin's own lines\nALL: 198.51.100.7\nsshd: .example.org\n";

it('banward server with action = hostsdeny[file=…]: bans and unbans in its own block, the admin\'s lines untouched, repaired after an edit', async () => {
  const h = makeDaemonDirs(`[DEFAULT]
bantime = 600
findtime = 10m
maxretry = 3

[test]
enabled = true
filter = test
logpath = $DIR/app.log
action = hostsdeny[file=$DIR/hosts.deny, daemon_list=sshd]
`);
  const deny = join(h.dir, 'hosts.deny');
  writeFileSync(deny, ADMIN);
  writeFileSync(join(h.config, 'banward.conf'), '[Definition]\nreconcileinterval = 1\n');
  writeFileSync(h.log, '');
  try {
    await startDaemon(h);
    appendFileSync(h.log, failureLine('203.0.113.5').repeat(3) + failureLine('2001:db8::7').repeat(3));
    await waitFor('both bans', () => bannedIps(h).length === 2);
    await waitFor('the lines in hosts.deny', () => /^sshd: 203\.0\.113\.5$/m.test(readFileSync(deny, 'utf8')) && /^sshd: \[2001:db8::7\]$/m.test(readFileSync(deny, 'utf8')));
    assert.ok(readFileSync(deny, 'utf8').startsWith(ADMIN), "the admin's lines stay first and unchanged");

    writeFileSync(deny, ADMIN);
    await waitFor('reconcile to restore the block an edit removed', () => /^sshd: 203\.0\.113\.5$/m.test(readFileSync(deny, 'utf8')));

    assert.equal(client(h, 'unban', '203.0.113.5').code, 0);
    await waitFor('the unbanned line gone', () => !readFileSync(deny, 'utf8').includes('203.0.113.5'));
    assert.match(readFileSync(deny, 'utf8'), /^sshd: \[2001:db8::7\]$/m);
    await stopDaemon(h);
    assert.equal(readFileSync(deny, 'utf8'), ADMIN, "stopping removes banward's block and nothing else");
  } finally {
    await stopDaemon(h).catch(() => undefined);
  }
});
