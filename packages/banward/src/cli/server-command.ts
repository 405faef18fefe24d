import { dirname, join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BanwardServer } from '../daemon/banward-server.js';
import { readDaemonSettings } from '../daemon/daemon-settings.js';
import { BanwardError, isBanwardError } from '../errors.js';
import { createLogger, isLogLevel, type LogLevel } from '../log/logger.js';
import { APP_SOCKET_NAME, DEFAULT_CONFIG_DIR, DEFAULT_SOCKET, DEFAULT_STATE_DIR } from './_paths.js';

export const SERVER_USAGE = `Usage: banward server [options]

Runs the daemon in the foreground (for systemd: Type=simple).
  --config DIR          configuration (default ${DEFAULT_CONFIG_DIR}; --config /etc/fail2ban reads fail2ban's)
  --state-dir DIR       bans and log positions, SQLite (default ${DEFAULT_STATE_DIR})
  --socket PATH         the admin control socket (default ${DEFAULT_SOCKET}), mode 0600
  --socket-group NAME   also let this group use the admin socket (mode 0660)
  --app-socket PATH     the app socket: report failures, read bans and status, nothing else
                        (default ${APP_SOCKET_NAME} beside --socket; "none" for no app socket), mode 0600
  --app-socket-group NAME  let this group (a web app's user) use the app socket (mode 0660)
  --log-level LEVEL     error, warn, notice, info (default), debug
  --log-target TARGET   stderr (default), a file path, syslog, or journal
Signals: TERM/INT stop, HUP reloads the configuration.
`;

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

/** fail2ban's loglevel names (CRITICAL … DEBUG) in banward's terms; info when unset. */
function logLevelFromSettings(name: string | undefined): string {
  const map: Record<string, string> = { critical: 'error', error: 'error', warning: 'warn', warn: 'warn', notice: 'notice', info: 'info', debug: 'debug' };
  return (name && map[name.toLowerCase()]) ?? 'info';
}

export async function serverCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, 'state-dir': { type: 'string' }, socket: { type: 'string' },
      'socket-group': { type: 'string' }, 'app-socket': { type: 'string' }, 'app-socket-group': { type: 'string' },
      'log-level': { type: 'string' }, 'log-target': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { out.write(SERVER_USAGE); return 0; }
  const configDir = resolve(values.config ?? DEFAULT_CONFIG_DIR);
  const level = values['log-level'] ?? logLevelFromSettings(readDaemonSettings(configDir).logLevel);
  if (!isLogLevel(level)) throw new BanwardError('BANWARD_ERR_USAGE', `--log-level must be error, warn, notice, info or debug, not ${level}`);
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
    log,
  });
  const stop = () => void server.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {
    server.reload().catch((error: unknown) => {
      log.error(`reload refused, the running configuration stays: ${isBanwardError(error) ? error.describe() : String(error)}`);
    });
  });
  await server.stopped;
  return 0;
}
