/**
 * Issue 12's table: each broken configuration gives the same problems, each at its file:line, from
 * `banward test-config`, from `banward server` start and from `reload` of a running daemon — and the
 * running daemon keeps serving its old configuration through every refused reload.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, it } from 'node:test';
import { BANWARD_BIN } from '../compat/_sample-suite.js';
import { client, clientJson, failureLine, makeDaemonDirs, startDaemon, stopDaemon, waitFor, type DaemonHarness } from './_daemon.js';

const JAIL = `[DEFAULT]
maxretry = 2
findtime = 10m

[test]
enabled = true
filter = test
logpath = $DIR/app.log
action = log[path=$DIR/actions.log]
`;

/** A broken configuration: files written over the good one (paths relative to the config dir), and what must be said. */
interface BrokenCase {
  name: string;
  files: Record<string, string | Buffer>;
  expect: RegExp[];
}

const local = (text: string): Record<string, string> => ({ 'jail.local': `[test]\n${text}\n` });
const jail = (name: string, text: string): Record<string, string> => ({ 'jail.local': `[${name}]\nenabled = true\n${text}\n` });

const CASES: BrokenCase[] = [
  { name: 'typo\'d action', files: local('action = nftabels'), expect: [/jail\.local:2: \[test\] action: no action "nftabels"/] },
  { name: 'missing filter', files: local('filter = nosuch'), expect: [/jail\.local:2: \[test\] filter: no filter "nosuch"/] },
  { name: 'logpath without filter', files: jail('orphan', 'filter =\nlogpath = /var/log/orphan.log'), expect: [/jail\.local:4: \[orphan\] logpath: the jail has no filter/] },
  { name: 'bad datepattern', files: local('datepattern = %%Q'), expect: [/jail\.local:2: Invalid datepattern '%Q': unknown % directive/] },
  { name: 'bad integer', files: local('maxretry = lots'), expect: [/jail\.local:2: \[test\] maxretry: expected a whole number, not "lots"/] },
  { name: 'maxtrackedips = lots', files: local('maxtrackedips = lots'), expect: [/jail\.local:2: \[test\] maxtrackedips: expected a whole number, not "lots"/] },
  { name: 'include loop', files: { 'jail.local': '[INCLUDES]\nbefore = jail.local\n[test]\nmaxretry = 3\n' }, expect: [/jail\.local.*(loop|include)/i] },
  { name: 'unknown backend', files: local('backend = kqueue'), expect: [/jail\.local:2: \[test\] backend: expected one of auto, .* not "kqueue"/] },
  { name: 'binary junk', files: { 'jail.local': Buffer.from([0x5b, 0x74, 0x65, 0x73, 0x74, 0x5d, 0x0a, 0x00, 0xff, 0xfe, 0x01, 0x0a]) }, expect: [/jail\.local:2: binary data/] },
  { name: 'a 50 MB file', files: { 'jail.local': Buffer.alloc(50 * 1024 * 1024, '# padding\n') }, expect: [/jail\.local: the file is 52428800 bytes/] },
  { name: 'regex that does not compile', files: { 'filter.d/test.local': '[Definition]\nfailregex = ^login failed from <HOST>(\n' }, expect: [/filter\.d\/test\.local:2: /] },
  { name: 'failregex without a host', files: { 'filter.d/test.local': '[Definition]\nfailregex = ^login failed$\n' }, expect: [/filter\.d\/test\.local:2: No failure-id group/] },
  { name: 'unknown time zone', files: local('logtimezone = Mars/Olympus'), expect: [/jail\.local:2: .*Mars\/Olympus/] },
  { name: 'bad bantime', files: local('bantime = soon'), expect: [/jail\.local:2: \[test\] bantime: /] },
  { name: 'findtime 0', files: local('findtime = 0'), expect: [/jail\.local:2: \[test\] findtime: must be a time above 0/] },
  { name: 'bad usedns', files: local('usedns = maybe'), expect: [/jail\.local:2: \[test\] usedns: expected one of yes, warn, no, raw/] },
  { name: 'bad ignoreip', files: local('ignoreip = 10.0.0.0/40'), expect: [/jail\.local:2: \[test\] ignoreip: "10\.0\.0\.0\/40" is not an address/] },
  { name: 'ignorecommand unclosed quote', files: local('ignorecommand = /bin/check "<ip>'), expect: [/jail\.local:2: \[test\] ignorecommand: .*no closing quotation/] },
  { name: 'bantime.formula with a foreign call', files: local('bantime.increment = true\nbantime.formula = ban.Time * os.getpid()'), expect: [/jail\.local:3: \[test\] bantime\.formula: .*os\.getpid/] },
  { name: 'unknown encoding', files: local('logencoding = klingon-8'), expect: [/jail\.local:2: \[test\] logencoding: unknown encoding/] },
  { name: 'undefined reference', files: local('logpath = %(nowhere)s'), expect: [/jail\.local:2: .*%\(nowhere\)s/] },
  { name: 'reference loop', files: local('a = %(b)s\nb = %(a)s\nlogpath = %(a)s'), expect: [/jail\.local:\d: .*(recursion|loop|terminate|deep)/i] },
  { name: 'INI syntax', files: { 'jail.local': '[test\nmaxretry = 3\n' }, expect: [/jail\.local:1: /] },
  { name: 'broken action.d file', files: { ...local('action = broken'), 'action.d/broken.conf': '[Definition]\nactionban = echo %(nothing)s\n' }, expect: [/action\.d\/broken\.conf:2: .*%\(nothing\)s/] },
  { name: 'countprefix6 too long', files: local('countprefix6 = 129'), expect: [/jail\.local:2: \[test\] countprefix6: an IPv6 prefix length is 128 at most/] },
  { name: 'journalmatch unclosed quote', files: local('journalmatch = _COMM="sshd'), expect: [/jail\.local:2: \[test\] journalmatch: .*no closing quotation/] },
  { name: 'bad linetimeout', files: { 'banward.local': '[Definition]\nlinetimeout = forever\n' }, expect: [/banward\.local:2: .*linetimeout/] },
  { name: 'maxlines 0', files: local('maxlines = 0'), expect: [/jail\.local:2: \[test\] maxlines: must be 1 or more/] },
  { name: 'unclosed action options', files: local('action = log[path=/tmp/x'), expect: [/jail\.local:2: .*action/] },
  { name: 'unclosed filter options', files: local('filter = test[mode=x'), expect: [/jail\.local:2: .*filter/] },
  { name: 'enabled = maybe', files: local('enabled = maybe'), expect: [/jail\.local:2: \[test\] enabled: expected true or false/] },
  { name: 'two problems at once', files: local('maxretry = lots\nbantime = soon'), expect: [/jail\.local:2: \[test\] maxretry/, /jail\.local:3: \[test\] bantime/] },
];

let h: DaemonHarness;
before(async () => {
  h = makeDaemonDirs(JAIL);
  writeFileSync(h.log, '');
  await startDaemon(h);
});
after(async () => { await stopDaemon(h); });

function withFiles<T>(files: BrokenCase['files'], run: () => T): T {
  const paths = Object.keys(files).map((p) => join(h.config, p));
  try {
    for (const [i, [, text]] of Object.entries(files).entries()) {
      mkdirSync(dirname(paths[i]!), { recursive: true });
      writeFileSync(paths[i]!, text);
    }
    return run();
  } finally {
    for (const path of paths) rmSync(path, { force: true });
  }
}

/** The `file:line: message` lines a refusal names, with the code dropped, in order. */
function problemLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim().replace(/^banward \S+: /, '').replace(/ \[BANWARD_ERR_\w+\]$/, ''))
    .filter((l) => l.startsWith(h.config));
}

function refusal(args: string[]): string[] {
  const r = spawnSync(process.execPath, [BANWARD_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, `banward ${args[0]} must refuse: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /\[BANWARD_ERR_CONFIG_\w+\]/);
  return problemLines(r.stderr);
}

it('issue 12: each broken configuration is refused with the same problems by test-config, server start and reload', () => {
  const scratch = join(h.dir, 'scratch');
  for (const c of CASES) {
    withFiles(c.files, () => {
      const fromTest = refusal(['test-config', '--config', h.config]);
      assert.ok(fromTest.length >= c.expect.length, `${c.name}: test-config names no file:line: ${fromTest.join('\n')}`);
      for (const re of c.expect) assert.ok(fromTest.some((l) => re.test(l)), `${c.name}: test-config said:\n${fromTest.join('\n')}\nnot ${re}`);
      const fromStart = refusal(['server', '--config', h.config, '--state-dir', join(scratch, 'state'), '--socket', join(scratch, 'banward.sock'), '--app-socket', 'none']);
      assert.deepEqual(fromStart, fromTest, `${c.name}: server start`);
      const reload = client(h, 'reload');
      assert.equal(reload.code, 2, `${c.name}: reload must be refused: ${reload.stdout}`);
      assert.deepEqual(problemLines(reload.stderr), fromTest, `${c.name}: reload`);
    });
  }
  assert.equal(client(h, 'ping').code, 0);
});

it('issue 12: after every refused reload the daemon serves its old configuration: the jail still reads its log and bans', async () => {
  assert.deepEqual(clientJson<{ jails: string[] }>(h, 'status').jails, ['test']);
  appendFileSync(h.log, `${failureLine('198.51.100.44')}\n${failureLine('198.51.100.44')}\n`);
  await waitFor('the ban', () => clientJson<{ actions: { bannedIps: string[] } }>(h, 'status', 'test').actions.bannedIps.includes('198.51.100.44'));
});
