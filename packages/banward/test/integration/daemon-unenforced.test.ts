import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { after, it } from 'node:test';
import { client, clientJson, makeDaemonDirs, startDaemon, stopDaemon, type DaemonHarness } from './_daemon.js';

/** Three jails whose bans block nobody, for three reasons (a typo'd action is refused: see broken-config); `fine` has an action that blocks (action.d, as fail2ban's). */
const JAIL = `[DEFAULT]
filter = test
maxretry = 3

[empty]
enabled = true
logpath = $DIR/app.log
action =

[python]
enabled = true
logpath = $DIR/app.log
action = smtp.py[dest=root]

[dryrun]
enabled = true
logpath = $DIR/app.log
action = log[path=$DIR/actions.log]

[fine]
enabled = true
logpath = $DIR/app.log
action = blocker
`;

let h: DaemonHarness | undefined;
after(async () => { if (h) await stopDaemon(h); });

it('issue 12: a jail whose bans would block nobody says so at start and in status; one that blocks does not', async () => {
  h = makeDaemonDirs(JAIL, {});
  writeFileSync(h.log, '');
  mkdirSync(`${h.config}/action.d`, { recursive: true });
  writeFileSync(`${h.config}/action.d/blocker.conf`, '[Definition]\nactionban = true\nactionunban = true\n');
  await startDaemon(h);
  const output = h.output.join('');
  const status = (jail: string) => clientJson<{ actions: { notEnforced?: string } }>(h!, 'status', jail).actions.notEnforced;
  assert.match(output, /\[empty\] bans are recorded, not enforced: no action is set \(action =\)/);
  assert.equal(status('empty'), 'no action is set (action =)');
  assert.match(output, /\[python\] bans are recorded, not enforced: action smtp\.py: fail2ban's Python actions do not run in banward/);
  assert.match(status('python') ?? '', /Python actions do not run/);
  assert.match(output, /\[dryrun\] bans are recorded, not enforced: its actions only record or notify \(log\)/);
  assert.match(client(h, 'status', 'dryrun').stdout, /Not enforced:\tits actions only record or notify \(log\)/);
  assert.equal(status('fine'), undefined);
  assert.doesNotMatch(output, /\[fine\] bans are recorded, not enforced/);
});
