import { dirname, join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { BanwardError, isBanwardError } from '../errors.js';
import { LOG_LEVELS, createLogger, type LogLevel } from '../log/logger.js';
import { defineCommand, type CommandContext } from './_command.js';
import { APP_SOCKET_NAME, DEFAULT_CONFIG_DIR, DEFAULT_SOCKET, DEFAULT_STATE_DIR } from './_paths.js';

const SYSLOG_PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, notice: 5, info: 6, debug: 7 };

function logWriter(target: string): (line: string) => void {
  if (target === 'stderr') return (line) => process.stderr.write(line + '\n');
  if (target === 'journal') {
    // journald reads a "<priority>" prefix on a service's stderr lines.
    return (line) => {
      const level = (/ banward (\w+)/.exec(line)?.[1] ?? 'info').toLowerCase() as LogLevel;
      process.stderr.write(`<${SYSLOG_PRIORITY[level] ?? 6}>${line}\n`);
    };
  }
  if (target === 'syslog') {
    const logger = spawn('logger', ['-t', 'banward', `--id=${process.pid}`], { stdio: ['pipe', 'ignore', 'inherit'] });
    logger.unref();
    return (line) => logger.stdin.write(line + '\n');
  }
  return (line) => process.stderr.write(line + '\n');
}

// A Map, not an object: `loglevel = constructor` must not reach Object.prototype.
const FAIL2BAN_LEVELS: ReadonlyMap<string, LogLevel> = new Map([
  ['critical', 'error'], ['error', 'error'], ['warning', 'warn'], ['warn', 'warn'], ['notice', 'notice'], ['info', 'info'], ['debug', 'debug'],
]);

/** fail2ban's loglevel names (CRITICAL … DEBUG) in banward's terms; info when unset. */
function logLevelFromSettings(name: string | undefined): LogLevel {
  return (name && FAIL2BAN_LEVELS.get(name.toLowerCase())) || 'info';
}

async function runServer({ values }: CommandContext<typeof SERVER_OPTIONS>): Promise<number> {
  // The daemon's modules load only for this command: every other command starts faster without them.
  const [{ BanwardServer }, { readDaemonSettings }] = await Promise.all([import('../daemon/banward-server.js'), import('../daemon/daemon-settings.js')]);
  const configDir = resolve(values.config ?? DEFAULT_CONFIG_DIR);
  const level = values['log-level'] ?? logLevelFromSettings(readDaemonSettings(configDir).logLevel);
  const target = values['log-target'] ?? 'stderr';
  const fileTarget = !['stderr', 'syslog', 'journal'].includes(target);
  const log = createLogger(fileTarget ? { level, file: target } : { level, write: logWriter(target) });
  const socket = resolve(values.socket ?? DEFAULT_SOCKET);
  const appSocket = values['app-socket'] ?? join(dirname(socket), APP_SOCKET_NAME);
  if (appSocket === 'none' && values['app-socket-group']) {
    throw new BanwardError('BANWARD_ERR_USAGE', '--app-socket-group needs an app socket, not --app-socket none');
  }
  if (appSocket !== 'none' && resolve(appSocket) === socket) {
    throw new BanwardError('BANWARD_ERR_USAGE', `--app-socket must differ from --socket (${socket}): the app socket serves fewer commands`);
  }
  const server = await BanwardServer.start({
    configDir,
    stateDir: resolve(values['state-dir'] ?? DEFAULT_STATE_DIR),
    socket,
    ...(values['socket-group'] ? { socketGroup: values['socket-group'] } : {}),
    appSocket: appSocket === 'none' ? null : resolve(appSocket),
    ...(values['app-socket-group'] ? { appSocketGroup: values['app-socket-group'] } : {}),
    ...(values.http === undefined ? {} : { overrides: { httpListen: values.http } }),
    log,
    ...(values['dry-run'] ? { dryRun: true } : {}),
  });
  const { serviceNotifier } = await import('./_service-notify.js');
  const notify = serviceNotifier(log);
  const status = () => `${server.jails.size} jail(s) running`;
  await notify({ READY: '1', STATUS: status() });
  const stop = () => void notify({ STOPPING: '1' }).then(() => server.stop());
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {
    void notify({ RELOADING: '1' }).then(() => server.reload()).catch((error: unknown) => {
      log.error(`reload refused, the running configuration stays: ${isBanwardError(error) ? error.describe() : String(error)}`);
    }).then(() => notify({ READY: '1', STATUS: status() }));
  });
  await server.stopped;
  return 0;
}

const SERVER_OPTIONS = {
  'dry-run': { type: 'boolean', description: 'decide and log bans without enforcing them (every jail\'s actions\nreplaced by log), to run beside fail2ban; see banward migrate --compare' },
  config: { type: 'string', valueName: 'DIR', description: `configuration (default ${DEFAULT_CONFIG_DIR}; --config /etc/fail2ban reads fail2ban's)` },
  'state-dir': { type: 'string', valueName: 'DIR', description: `bans and log positions, SQLite (default ${DEFAULT_STATE_DIR})` },
  socket: { type: 'string', valueName: 'PATH', description: `the admin control socket (default ${DEFAULT_SOCKET}), mode 0600` },
  'socket-group': { type: 'string', valueName: 'NAME', description: 'also let this group use the admin socket (mode 0660)' },
  'app-socket': {
    type: 'string', valueName: 'PATH',
    description: `the app socket: report failures, read bans and status, nothing else\n(default ${APP_SOCKET_NAME} beside --socket; "none" for no app socket), mode 0600`,
  },
  'app-socket-group': { type: 'string', valueName: 'NAME', description: 'let this group (a web app\'s user) use the app socket (mode 0660)' },
  http: { type: 'string', valueName: 'ADDR:PORT', description: 'serve the HTTP API and dashboard there ([http] listen; tokens from [http])' },
  'log-level': { type: 'string', values: LOG_LEVELS, description: 'how much to log (default: the config\'s loglevel, else info)' },
  'log-target': { type: 'string', valueName: 'TARGET', description: 'stderr (default), a file path, syslog, or journal' },
} as const;

export const SERVER_COMMAND = defineCommand({
  name: 'server',
  summary: 'run the daemon in the foreground',
  description: 'Runs the daemon in the foreground (for systemd: Type=notify, READY=1 once its jails have started).',
  options: SERVER_OPTIONS,
  notes: 'Signals: TERM/INT stop, HUP reloads the configuration.\n',
  run: runServer,
});
