import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startControlServer, type ControlRequest } from '../control/index.js';
import { createLogger, LOG_LEVELS } from '../log/logger.js';
import { runCli } from './_test-support.js';
import { COMMANDS } from './main.js';
import { SERVER_COMMAND } from './server-command.js';

const root = await mkdtemp(join(tmpdir(), 'banward-cli-'));
after(() => rm(root, { recursive: true, force: true }));
const bundledConfig = new URL('../../../config', import.meta.url).pathname;

/** A real control socket that answers ping as the daemon does and echoes every other request back. */
const requests: ControlRequest[] = [];
const socket = join(root, 'run', 'banward.sock');
const server = await startControlServer({
  path: socket,
  log: createLogger({ level: 'error', write: () => undefined }),
  handler: async (request) => {
    requests.push(request);
    if (request.command === 'ping') return 'pong';
    if (request.command === 'status') return { jails: ['sshd'] };
    return { command: request.command, args: request.args, options: request.options };
  },
});
after(() => server.close());

const USAGE_ERROR = /^banward( [\w-]+)?: .+ \[BANWARD_ERR_USAGE\]\n$/;

test('cli: banward test-config --help fails with "Unknown option"', async () => {
  const r = await runCli('test-config', '--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: banward test-config \[options\]\n/);
  assert.equal(r.stderr, '');
});

test('cli: --help and -h work on every command and its aliases, exit 0, print its usage', async () => {
  for (const def of COMMANDS) {
    for (const name of [def.name, ...(def.aliases ?? [])]) {
      for (const flag of ['--help', '-h']) {
        const r = await runCli(name, flag);
        assert.equal(r.code, 0, `${name} ${flag}: ${r.stderr}`);
        assert.ok(r.stdout.startsWith(`Usage: banward ${def.name} `), `${name} ${flag}: ${r.stdout}`);
      }
    }
  }
});

test('cli: ping --json prints plain text', async () => {
  const r = await runCli('ping', '--json', '--socket', socket);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), 'pong');
  assert.equal((await runCli('ping', '--socket', socket)).stdout, 'Server replied: pong\n', 'without --json: fail2ban-client\'s words');
});

test('cli: every command whose output is data prints one JSON value with --json', async () => {
  for (const argv of [
    ['status'], ['status', 'sshd'], ['reload'], ['set', 'sshd', 'banip', '192.0.2.1'], ['get', 'sshd', 'banip'],
    ['unban', '--all'], ['banned'], ['report', 'sshd', '192.0.2.1'], ['stop'],
  ]) {
    const r = await runCli(...argv, '--json', '--socket', socket);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    assert.doesNotThrow(() => JSON.parse(r.stdout), `${argv.join(' ')}: ${r.stdout}`);
  }
  const version = await runCli('version', '--json');
  assert.match((JSON.parse(version.stdout) as { version: string }).version, /^\d+\.\d+\.\d+/);
  const dump = await runCli('dump-config', '--json', '--config', bundledConfig);
  assert.ok(Array.isArray((JSON.parse(dump.stdout) as { jails: unknown[] }).jails), dump.stderr);
  const check = await runCli('test-config', '--json', '--config', bundledConfig);
  assert.equal((JSON.parse(check.stdout) as { ok: boolean }).ok, true, check.stderr);
});

test('cli: each client command sends its words and its own options to the daemon', async () => {
  const cases: Array<[string[], Pick<ControlRequest, 'command' | 'args' | 'options'>]> = [
    [['status', 'sshd'], { command: 'status', args: ['sshd'], options: {} }],
    [['reload', 'sshd', '--restart'], { command: 'reload', args: ['sshd'], options: { restart: true, unban: false } }],
    [['set', 'sshd', 'banip', '192.0.2.1', '192.0.2.2'], { command: 'set', args: ['sshd', 'banip', '192.0.2.1', '192.0.2.2'], options: {} }],
    [['get', 'sshd', 'banip', '--with-time'], { command: 'get', args: ['sshd', 'banip'], options: { withTime: true } }],
    [['unban', '192.0.2.1'], { command: 'unban', args: ['192.0.2.1'], options: { all: false } }],
    [['banned', '192.0.2.1'], { command: 'banned', args: ['192.0.2.1'], options: {} }],
    [['report', 'web', '192.0.2.1', '--user', 'bob', '--time', '1700000000'],
      { command: 'report', args: ['web', '192.0.2.1'], options: { user: 'bob', time: '1700000000' } }],
  ];
  for (const [argv, expected] of cases) {
    requests.length = 0;
    // --json: the echoed request is not the reply the human layout expects.
    const r = await runCli(...argv, '--json', '--socket', socket);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    const [sent] = requests;
    assert.deepEqual({ command: sent?.command, args: sent?.args, options: sent?.options }, expected, argv.join(' '));
  }
});

test('cli: --log-level constructor is accepted', async () => {
  const r = await runCli('server', '--log-level', 'constructor', '--config', join(root, 'none'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^banward server: --log-level must be error, warn, notice, info or debug, not "constructor" .*\[BANWARD_ERR_USAGE\]\n$/);
  assert.deepEqual(SERVER_COMMAND.options['log-level'].values, LOG_LEVELS, 'the levels come from the logger\'s one list');
});

test('cli: argument errors print no error code', async () => {
  for (const argv of [
    ['ping', '--no-such-option'],
    ['ping', '--socket'],
    ['ping', '--json=yes'],
    ['ping', 'extra'],
    ['report', 'web'],
    ['unban'],
    ['regex', '--usedns', 'maybe', 'line', 'sshd'],
    ['regex', '--maxlines', 'x', 'line', 'sshd'],
    ['regex', 'line'],
    ['test-config', '--bogus'],
    ['server', '--app-socket', 'none', '--app-socket-group', 'www-data', '--config', join(root, 'none')],
    ['no-such-command'],
    ['--json', 'ping'],
  ]) {
    const r = await runCli(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, USAGE_ERROR, argv.join(' '));
    assert.equal(r.stdout, '', argv.join(' '));
  }
});

test('cli: banward --socket P ping fails although the README says --socket may stand before the command\'s words', async () => {
  for (const argv of [['--socket', socket, 'ping'], [`--socket=${socket}`, 'ping'], ['ping', '--socket', socket]]) {
    const r = await runCli(...argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, 'Server replied: pong\n');
  }
  const config = await runCli('--config', bundledConfig, '-t');
  assert.equal(config.code, 0, config.stderr);
  assert.match(config.stdout, /^OK: configuration test is successful/m);
  const misplaced = await runCli('--socket', socket, 'regex', 'line', 'sshd');
  assert.equal(misplaced.code, 2, 'a global option the command does not take is refused');
  assert.match(misplaced.stderr, /^banward regex: unknown option --socket .*\[BANWARD_ERR_USAGE\]\n$/);
});

test('cli: no command prints the usage and exits 2; help and --help exit 0; help CMD is CMD --help', async () => {
  const none = await runCli();
  assert.equal(none.code, 2);
  assert.match(none.stdout, /^Usage: banward /);
  for (const word of ['help', '--help', '-h']) assert.equal((await runCli(word)).code, 0, word);
  assert.equal((await runCli('help', 'ping')).stdout, (await runCli('ping', '--help')).stdout);
});
