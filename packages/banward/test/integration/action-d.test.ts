/**
 * fail2ban's stock action.d files run for real: dummy and hostsdeny against temp files, the mail
 * actions against fake `mail`/`sendmail`/`whois` binaries that record what they receive, replaying
 * the CVE-2021-32749 class of attack (log text, usernames and whois answers holding shell and mail
 * escapes); and the native webhook and mail actions against a real HTTP server and a fake sendmail.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/clock.js';
import { createLogger } from '../../src/log/logger.js';
import type { ActionContext } from '../../src/enforcer/action-registry.js';
import { actionDKind, type ActionDTicket } from '../../src/enforcer/action-d/index.js';
import { MailAction, NOTIFY_ACTIONS, signBody, WebhookAction } from '../../src/enforcer/notify/index.js';

const STOCK = '/etc/fail2ban';
const dir = mkdtempSync(join(tmpdir(), 'banward-action-d-'));
const bin = join(dir, 'bin');
const record = join(dir, 'received.log');
const marker = (n: number): string => join(dir, `pwned-${n}`);
const logLines: string[] = [];
const ctx: ActionContext = {
  jail: 'sshd',
  clock: fixedClock(1700000000),
  log: createLogger({ level: 'debug', write: (l) => logLines.push(l) }),
  configDir: STOCK,
  jailOptions: { port: 'ssh', protocol: 'tcp', chain: 'INPUT' },
};

/** Attacks on the shell (`$( )`, backticks, quotes, `;`, newlines) and on mail(1) (`~!`). */
const PAYLOADS = [
  `\n~!touch ${marker(1)}\n`,
  `$(touch ${marker(2)})`,
  `\`touch ${marker(3)}\``,
  `';touch ${marker(4)};'`,
  `"; touch ${marker(5)}; "`,
  `x\ntouch ${marker(6)}\n`,
  `| touch ${marker(7)} #`,
];
const EVIL = PAYLOADS.join(' ');

function ticket(ip: string, extra: Partial<ActionDTicket> = {}): ActionDTicket {
  return { jail: 'sshd', ip, time: 1700000000, bantime: 600, banCount: 1, failures: 3, matches: [`sshd: Invalid user ${EVIL} from ${ip}`], data: { user: EVIL }, ...extra };
}

async function action(name: string, options: Record<string, string>, configDir = STOCK) {
  const kind = actionDKind(name, configDir);
  assert.ok(kind, `action.d/${name} exists`);
  assert.deepEqual(await kind.canRun(options), { ok: true });
  return kind.create(options, ctx);
}

function assertNothingRan(): void {
  PAYLOADS.forEach((_, i) => assert.equal(existsSync(marker(i + 1)), false, `payload ${i + 1} ran`));
}

before(() => {
  mkdirSync(bin);
  const fake = `#!/bin/sh\n{ printf '=== %s' "$(basename "$0")"; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'; cat; printf '\\n'; } >> "${record}"\n`;
  for (const name of ['mail', 'sendmail']) writeFileSync(join(bin, name), fake);
  writeFileSync(join(bin, 'whois'), `#!/bin/sh\nprintf '%s\\n' "$FAKE_WHOIS"\n`);
  for (const name of ['mail', 'sendmail', 'whois']) chmodSync(join(bin, name), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  process.env.FAKE_WHOIS = `netname: EVIL\n${EVIL}`;
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the stock dummy action writes its file', async () => {
  const target = join(dir, 'dummy.txt');
  const a = await action('dummy', { target });
  await a.start();
  assert.equal(readFileSync(target, 'utf8'), '123\n');
  await a.ban([ticket('192.0.2.7'), ticket('2001:db8::7')]);
  await a.unban([ticket('192.0.2.7')]);
  await a.flush();
  assert.equal(readFileSync(target, 'utf8'), '123\n+192.0.2.7\n+2001:db8::7\n-192.0.2.7\n-*\n');
  await a.stop();
  assert.equal(existsSync(target), false);
});

test('the stock hostsdeny action edits a hosts.deny per family', async () => {
  const file = join(dir, 'hosts.deny');
  writeFileSync(file, 'sshd: 198.51.100.1\n');
  const a = await action('hostsdeny', { file });
  await a.start();
  await a.ban([ticket('192.0.2.7'), ticket('2001:db8::7'), ticket('192.0.2.8')]);
  assert.equal(readFileSync(file, 'utf8'), 'sshd: 198.51.100.1\nALL: 192.0.2.7\nALL: [2001:db8::7]\nALL: 192.0.2.8\n');
  await a.unban([ticket('2001:db8::7'), ticket('192.0.2.7')]);
  assert.equal(readFileSync(file, 'utf8'), 'sshd: 198.51.100.1\nALL: 192.0.2.8\n');
  await a.stop();
});

test('CVE-2021-32749 class: log text, captures and whois answers never run', async () => {
  const logpath = join(dir, 'auth.log');
  writeFileSync(logpath, `Nov 14 10:00:00 host sshd[1]: Invalid user ${EVIL} from 192.0.2.9 port 22\n`);
  const custom = join(dir, 'conf');
  mkdirSync(join(custom, 'action.d'), { recursive: true });
  writeFileSync(join(custom, 'action.d', 'echo-user.conf'), [
    '[Definition]',
    `actionban = printf '%%s|' <F-USER> "<F-USER>" '<F-USER>' "$(printf %%s <matches>)" "\`printf %%s "<F-USER>"\`" | sendmail user-<ip>`,
    '            cat <<EOF | sendmail heredoc',
    '            <ipjailmatches>',
    '            EOF',
    '',
  ].join('\n'));
  const actions = [
    await action('mail-whois', { dest: 'root' }),
    await action('mail-whois-lines', { dest: 'root', logpath }),
    await action('sendmail-whois-matches', { dest: 'root', mailcmd: 'sendmail -f <sender> <dest>' }),
    await action('echo-user', {}, custom),
  ];
  for (const a of actions) {
    await a.start();
    await a.ban([ticket('192.0.2.9')]);
  }
  assertNothingRan();
  const received = readFileSync(record, 'utf8');
  assert.ok(received.includes('=== mail [-E] [set escape] [-s] [[Fail2Ban] sshd: banned 192.0.2.9 from '), received);
  // Every payload arrives whole: in the whois answer, the grepped log, <matches> and each <F-USER>.
  for (const p of PAYLOADS) {
    const count = received.split(p).length - 1;
    assert.ok(count >= 7, `payload ${JSON.stringify(p)} arrived ${count} times`);
  }
  assert.ok(received.includes(`=== sendmail [user-192.0.2.9]\n${[EVIL, EVIL, EVIL, `sshd: Invalid user ${EVIL} from 192.0.2.9`, EVIL].join('|')}|`));
  assert.ok(received.includes(`=== sendmail [heredoc]\nsshd: Invalid user ${EVIL} from 192.0.2.9\n`));
  for (const a of actions) await a.stop();
  assertNothingRan();
});

test('native mail: sendmail gets arguments and the message, no header injection', async () => {
  writeFileSync(record, '');
  const options = { dest: 'root@example.org', sender: 'banward@example.org', sendmail: join(bin, 'sendmail') };
  const kind = NOTIFY_ACTIONS['mail'];
  assert.deepEqual(await kind.canRun(options), { ok: true });
  assert.equal((await kind.canRun({ dest: '-oQ/tmp/x' })).ok, false);
  const mail = kind.create(options, { ...ctx, jail: 'sshd' });
  await mail.ban([ticket('192.0.2.10', { jail: `sshd\r\nBcc: evil@example.org` })]);
  await mail.stop();
  assertNothingRan();
  const received = readFileSync(record, 'utf8');
  assert.ok(received.startsWith('=== sendmail [-i] [-f] [banward@example.org] [--] [root@example.org]\n'), received);
  const headers = (received.split('\n\n')[0] ?? '').split('\n');
  assert.equal(headers.filter((h) => /^bcc:/i.test(h)).length, 0);
  assert.ok(headers.some((h) => h === 'Subject: [banward] sshd Bcc: evil@example.org: banned 192.0.2.10 from ' + h.split(' from ').pop()));
  for (const p of PAYLOADS.map((x) => x.split('\n').filter(Boolean)).flat()) assert.ok(received.includes(p), p);
});

test('native mail: a hung sendmail is killed after the action\'s timeout; the ban is not held up', async () => {
  const hung = join(dir, 'hung-sendmail');
  const pid = join(dir, 'hung-sendmail.pid');
  writeFileSync(hung, `#!/bin/sh\necho $$ > ${pid}\nexec sleep 1000\n`);
  chmodSync(hung, 0o755);
  const mail = new MailAction({
    dest: ['root'], sender: 'banward', senderName: 'banward', sendmail: hung, unban: false, matches: true, timeout: 2,
    clock: ctx.clock, log: ctx.log, retries: 0,
  });
  await mail.ban([ticket('192.0.2.11')]);
  assert.equal(await mail.queue.idle(30_000), true, 'the delivery ended');
  assert.equal(mail.queue.failed, 1);
  assert.ok(logLines.some((l) => l.includes(`mail: ${hung} failed (timed out after 2 s)`)), logLines.join('\n'));
  assert.throws(() => process.kill(Number(readFileSync(pid, 'utf8')), 0), { code: 'ESRCH' }, 'the hung sendmail is gone');
  await mail.stop();
});

test('webhook: signed POST, retried after a 500, never blocking the ban', async () => {
  const bodies: { body: string; signature: string | undefined; status: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = bodies.length === 0 ? 500 : 200;
      bodies.push({ body, signature: req.headers['x-banward-signature'] as string | undefined, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const options = { url: `http://127.0.0.1:${port}/hook`, secret: 's3cret', backoff: '10' };
  assert.deepEqual(await NOTIFY_ACTIONS['webhook'].canRun(options), { ok: true });
  assert.equal((await NOTIFY_ACTIONS['webhook'].canRun({ url: 'file:///etc/passwd' })).ok, false);
  const hook = NOTIFY_ACTIONS['webhook'].create(options, ctx) as WebhookAction;
  await hook.ban([ticket('192.0.2.11')]);
  assert.equal(bodies.length, 0, 'ban returned before any delivery was tried: it never waits for the hook');
  assert.equal(await hook.queue.idle(5000), true);
  await hook.stop();
  server.close();
  assert.equal(bodies.length, 2);
  const [failed, delivered] = bodies;
  assert.ok(failed && delivered);
  assert.equal(failed.body, delivered.body);
  assert.equal(delivered.signature, signBody('s3cret', delivered.body));
  const event = JSON.parse(delivered.body) as Record<string, unknown>;
  assert.equal(event.event, 'ban');
  assert.equal(event.ip, '192.0.2.11');
  assert.equal(event.matches, undefined);
  assert.equal(hook.queue.delivered, 1);
});
