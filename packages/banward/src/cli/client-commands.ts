import { parseArgs } from 'node:util';
import { sendRequest } from '../control/index.js';
import { BanwardError } from '../errors.js';
import { DEFAULT_SOCKET } from './_paths.js';
import { formatBanned, formatJailStatus, formatStatus } from './_client-format.js';

type Out = NodeJS.WritableStream;

const CLIENT_OPTIONS = {
  socket: { type: 'string' },
  json: { type: 'boolean' },
  restart: { type: 'boolean' },
  unban: { type: 'boolean' },
  all: { type: 'boolean' },
  'with-time': { type: 'boolean' },
  user: { type: 'string' },
  time: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CLIENT_USAGE = `Client commands (they talk to a running 'banward server'; fail2ban-client's spelling):
  status [JAIL] [--json]                 jails, or one jail's failures and bans
  ping | stop
  reload [JAIL] [--restart] [--unban]    apply changed config; bans stay unless --unban
  set JAIL banip|unbanip IP...           ban or unban by hand
  set JAIL addignoreip|delignoreip IP    change a jail's ignore list
  unban IP... | unban --all              lift bans in every jail
  banned [IP...] [--json]                where addresses are banned
  get JAIL banip [--with-time]           a jail's banned addresses
  get JAIL findtime|bantime|maxretry|logpath|ignoreip|failregex
  report JAIL IP [--user NAME] [--time T]   feed an application's failure into a jail
Every client command takes --socket PATH (default ${DEFAULT_SOCKET}), before or after its words.
`;

function usage(message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_USAGE', `${message} (see banward --help)`);
}

function print(out: Out, value: unknown, json: boolean | undefined, human: (v: never) => string): void {
  out.write(json ? JSON.stringify(value) + '\n' : human(value as never));
}

/** Runs one client command: parse, send one request, print the reply. */
export async function clientCommand(command: string, argv: string[], out: Out): Promise<number> {
  const { values, positionals: args } = parseArgs({ args: argv, allowPositionals: true, options: CLIENT_OPTIONS });
  if (values.help) { out.write(CLIENT_USAGE); return 0; }
  const socket = values.socket ?? DEFAULT_SOCKET;
  const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : 10_000;
  const send = (options: Record<string, string | number | boolean> = {}) => sendRequest(socket, command, args, options, { timeoutMs });
  switch (command) {
    case 'ping':
      out.write(`Server replied: ${String(await send())}\n`);
      return 0;
    case 'stop':
      await send();
      out.write('Shutdown successful\n');
      return 0;
    case 'status': {
      const result = await send();
      print(out, result, values.json, args.length ? formatJailStatus : formatStatus);
      return 0;
    }
    case 'reload': {
      const result = await send({ restart: values.restart ?? false, unban: values.unban ?? false });
      print(out, result, values.json, (r: { reloaded: string[] }) => `OK (reloaded: ${r.reloaded.join(', ') || 'none'})\n`);
      return 0;
    }
    case 'set':
    case 'get':
      if (args.length < 2) throw usage(`${command} needs JAIL and a setting`);
      print(out, await send({ withTime: values['with-time'] ?? false }), values.json, formatValue);
      return 0;
    case 'unban':
      if (!values.all && args.length === 0) throw usage('unban needs IP... or --all');
      print(out, await send({ all: values.all ?? false }), values.json, (r: { unbanned: number }) => `${r.unbanned}\n`);
      return 0;
    case 'banned':
      print(out, await send(), values.json, formatBanned);
      return 0;
    case 'report': {
      if (args.length !== 2) throw usage('report needs JAIL IP');
      const options: Record<string, string> = {};
      if (values.user !== undefined) options['user'] = values.user;
      if (values.time !== undefined) options['time'] = values.time;
      print(out, await send(options), values.json, () => 'OK\n');
      return 0;
    }
    default:
      throw usage(`unknown command '${command}'`);
  }
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\n') + (value.length ? '\n' : '');
  if (value !== null && typeof value === 'object') return `${JSON.stringify(value)}\n`;
  return `${String(value)}\n`;
}

export const CLIENT_COMMANDS = ['ping', 'stop', 'status', 'reload', 'set', 'get', 'unban', 'banned', 'report'] as const;
