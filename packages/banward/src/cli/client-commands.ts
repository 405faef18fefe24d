import type { Command, OptionValue } from '../control/index.js';
import { defineCommand, usageError, type ArgSpec, type CommandDef, type OptionSpecs, type OptionValues } from './_command.js';
import { DEFAULT_SOCKET } from './_paths.js';
import { formatBanned, formatFleet, formatJailStatus, formatStatus } from './_client-format.js';

/** What every client command takes: where the daemon is, how long to wait, and JSON for scripts. */
const CLIENT_OPTIONS = {
  socket: { type: 'string', valueName: 'PATH', description: `the daemon's control socket (default ${DEFAULT_SOCKET})` },
  timeout: { type: 'string', valueName: 'SECONDS', description: 'how long to wait for the reply (default 10)' },
  json: { type: 'boolean', description: 'print the reply as JSON (the protocol\'s result, docs/protocol.md)' },
} as const;

type ClientValues<O extends OptionSpecs> = OptionValues<O & typeof CLIENT_OPTIONS>;

interface ClientSpec<O extends OptionSpecs> {
  name: Command;
  summary: string;
  description?: string;
  args?: readonly ArgSpec[];
  options?: O;
  /** Refuses words the table cannot express (unban needs IP... or --all). */
  check?: (values: ClientValues<O>, args: readonly string[], def: CommandDef) => void;
  /** The request's options, from the command's own. */
  request?: (values: ClientValues<O>) => Record<string, OptionValue>;
  /** The reply as an admin reads it (fail2ban-client's layout where it has one). */
  human: (reply: never, args: readonly string[]) => string;
}

/** A client command: its words checked, one request sent, the reply printed (as JSON with --json). */
function clientCommand<const O extends OptionSpecs = Record<never, never>>(spec: ClientSpec<O>): CommandDef<O & typeof CLIENT_OPTIONS> {
  const def = defineCommand({
    name: spec.name,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    client: true,
    args: spec.args ?? [],
    options: { ...spec.options, ...CLIENT_OPTIONS } as O & typeof CLIENT_OPTIONS,
    async run({ values, args, out }) {
      spec.check?.(values, args, def);
      const common: OptionValues<typeof CLIENT_OPTIONS> = values;
      const timeoutMs = common.timeout === undefined ? {} : { timeoutMs: Number(common.timeout) * 1000 };
      const { sendRequest } = await import('../control/index.js');
      const reply = await sendRequest(common.socket ?? DEFAULT_SOCKET, spec.name, args, spec.request?.(values) ?? {}, timeoutMs);
      out.write(common.json ? JSON.stringify(reply) + '\n' : spec.human(reply as never, args));
      return 0;
    },
  });
  return def;
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\n') + (value.length ? '\n' : '');
  if (value !== null && typeof value === 'object') return `${JSON.stringify(value)}\n`;
  return `${String(value)}\n`;
}

const JAIL: ArgSpec = { name: 'JAIL', description: 'a jail\'s name, as in jail.conf' };

export const CLIENT_COMMANDS: readonly CommandDef[] = [
  clientCommand({
    name: 'status',
    summary: 'jails, or one jail\'s failures and bans',
    args: [{ ...JAIL, optional: true, description: 'one jail: its failures, bans and sources (default: the list of jails)' }],
    human: (reply: never, args) => (args.length ? formatJailStatus(reply) : formatStatus(reply)),
  }),
  clientCommand({
    name: 'ping',
    summary: 'check that the daemon answers',
    human: (reply: string) => `Server replied: ${reply}\n`,
  }),
  clientCommand({
    name: 'stop',
    summary: 'stop the daemon',
    human: () => 'Shutdown successful\n',
  }),
  clientCommand({
    name: 'reload',
    summary: 'apply changed configuration; bans stay unless --unban',
    args: [{ ...JAIL, optional: true, description: 'reload only this jail' }],
    options: {
      restart: { type: 'boolean', description: 'restart the jails (their actions stop and start) even when unchanged' },
      unban: { type: 'boolean', description: 'lift the bans of the reloaded jails' },
    },
    request: (values) => ({ restart: values.restart ?? false, unban: values.unban ?? false }),
    human: (reply: { reloaded: string[] }) => `OK (reloaded: ${reply.reloaded.join(', ') || 'none'})\n`,
  }),
  clientCommand({
    name: 'set',
    summary: 'ban or unban by hand, or change a jail\'s ignore list',
    args: [
      JAIL,
      { name: 'ACTION', description: 'banip or unbanip (addresses or networks),\naddignoreip or delignoreip (the jail\'s ignore list)' },
      { name: 'IP', variadic: true, description: 'one or more addresses or networks' },
    ],
    human: formatValue,
  }),
  clientCommand({
    name: 'get',
    summary: 'a jail\'s banned addresses or one of its settings',
    args: [JAIL, { name: 'SETTING', description: 'banip, findtime, bantime, maxretry, logpath, ignoreip or failregex' }],
    options: { 'with-time': { type: 'boolean', description: 'banip: each ban with its time and expiry' } },
    request: (values) => ({ withTime: values['with-time'] ?? false }),
    human: formatValue,
  }),
  clientCommand({
    name: 'unban',
    summary: 'lift bans in every jail',
    args: [{ name: 'IP', optional: true, variadic: true, description: 'the addresses to unban' }],
    options: { all: { type: 'boolean', description: 'lift every ban of every jail' } },
    check: (values, args, def) => {
      if (!values.all && args.length === 0) throw usageError(def, 'expected IP... or --all');
    },
    request: (values) => ({ all: values.all ?? false }),
    human: (reply: { unbanned: number }) => `${reply.unbanned}\n`,
  }),
  clientCommand({
    name: 'banned',
    summary: 'where addresses are banned',
    args: [{ name: 'IP', optional: true, variadic: true, description: 'only the bans that cover these addresses (default: every ban)' }],
    human: formatBanned,
  }),
  clientCommand({
    name: 'report',
    summary: 'feed an application\'s failure into a jail',
    args: [JAIL, { name: 'IP', description: 'the client address that failed (one host address)' }],
    options: {
      user: { type: 'string', valueName: 'NAME', description: 'the user name the application saw' },
      time: { type: 'string', valueName: 'EPOCH', description: 'when it failed, in epoch seconds (default: now)' },
    },
    request: (values) => ({ ...(values.user === undefined ? {} : { user: values.user }), ...(values.time === undefined ? {} : { time: values.time }) }),
    human: () => 'OK\n',
  }),
  clientCommand({
    name: 'fleet',
    summary: 'this node\'s fleet: Redis connection, outbox, last id, dropped messages, the nodes seen',
    human: formatFleet,
  }),
];
