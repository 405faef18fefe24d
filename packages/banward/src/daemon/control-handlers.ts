import { isJailOptionName, JAIL_OPTION_NAMES, ReplyStream, unknownJail, type ControlRequest, type DaemonControl } from '../control/index.js';
import { BanwardError } from '../errors.js';
import { formatIp, isHost, parseIp } from '../net/ip-address.js';
import { VERSION } from '../version.js';

/** The jail a command names, checked before its other arguments so an unknown jail is the error reported. */
function jailNamed(control: DaemonControl, name: string | undefined): string {
  if (name === undefined || !control.jailNames().includes(name)) throw unknownJail(name);
  return name;
}

async function setCommand(control: DaemonControl, jailName: string | undefined, what: string | undefined, values: string[]) {
  const jail = jailNamed(control, jailName);
  switch (what) {
    case 'banip': {
      const outcome = await control.ban(jail, values);
      if ('refused' in outcome) {
        const { target, overlaps } = outcome.refused;
        throw new BanwardError('BANWARD_ERR_BAN_REFUSED', `set ${jail} banip ${target}: it overlaps ${overlaps}, never banned; nothing was banned`);
      }
      return { banned: outcome.banned };
    }
    case 'unbanip':
      return { unbanned: await control.unban(jail, values) };
    case 'addignoreip':
      return { ignoreip: control.addIgnore(jail, values) };
    case 'delignoreip':
      return { ignoreip: control.removeIgnore(jail, values) };
    default:
      throw new BanwardError('BANWARD_ERR_COMMAND', `set ${jailName ?? ''} ${what ?? ''}: expected banip, unbanip, addignoreip or delignoreip`);
  }
}

/**
 * What the app socket serves: reporting failures and reading bans and status — what @banward/web and
 * django-banward need. Whoever can reach it (a web app's user) cannot unban, ban, change or stop anything.
 */
const APP_COMMANDS: ReadonlySet<string> = new Set(['ping', 'version', 'status', 'get', 'banned', 'report']);

/** The app socket's answers: the app commands as on the admin socket, everything else refused. */
export async function handleAppRequest(control: DaemonControl, request: ControlRequest): Promise<unknown> {
  if (!APP_COMMANDS.has(request.command)) {
    throw new BanwardError('BANWARD_ERR_NOT_PERMITTED',
      `'${request.command}' is not allowed on the app socket (it serves ${[...APP_COMMANDS].join(', ')}); use the admin socket`);
  }
  if (request.command === 'report') {
    const jail = jailNamed(control, request.args[0]);
    if (!control.acceptsAppReports(jail)) {
      throw new BanwardError('BANWARD_ERR_NOT_PERMITTED',
        `jail '${jail}' reads its own logs and does not take reports from apps (set appreports = true in it, or report into a jail without a filter)`);
    }
  }
  return handleRequest(control, request);
}

/** `report`'s address: one host address (IPv4 or IPv6) in canonical form, never a network or a name. */
function reportedAddress(text: string | undefined): string {
  const ip = text === undefined || text.includes('/') ? null : parseIp(text);
  if (!ip || !isHost(ip)) {
    throw new BanwardError('BANWARD_ERR_COMMAND',
      `report takes one IPv4 or IPv6 host address, not ${JSON.stringify(text ?? '')} (no networks, prefixes or host names)`);
  }
  return formatIp(ip);
}

/** What answers at once while the jails start (their backlog may take a while); the rest waits for the start. */
const ANSWERED_DURING_START: ReadonlySet<string> = new Set(['ping', 'version', 'status', 'get', 'banned', 'test-config', 'dump-config', 'watch', 'fleet']);

/** The daemon's answers to control requests (docs/protocol.md). */
export async function handleRequest(control: DaemonControl, request: ControlRequest): Promise<unknown> {
  if (!ANSWERED_DURING_START.has(request.command)) await control.started;
  const [first, second, ...rest] = request.args;
  const opts = request.options ?? {};
  switch (request.command) {
    case 'ping': return 'pong';
    case 'version': return { version: VERSION };
    case 'status':
      return first === undefined ? { jails: control.jailNames() } : control.jailStatus(jailNamed(control, first));
    case 'stop':
      control.stop();
      return null;
    case 'reload':
      return { reloaded: await control.reload(first, { restart: opts['restart'] === true, unban: opts['unban'] === true }) };
    case 'set':
      return setCommand(control, first, second, rest);
    case 'get': {
      const jail = jailNamed(control, first);
      if (second === 'banip') {
        return control.activeBans({ jail }).map(({ ip, time, bantime, expires, origin }) => (opts['withTime'] === true
          ? { ip, time, bantime, expires, ...(origin === undefined ? {} : { origin }) }
          : ip));
      }
      if (!isJailOptionName(second)) throw new BanwardError('BANWARD_ERR_COMMAND', `get ${jail}: expected banip, ${JAIL_OPTION_NAMES.join(', ')}`);
      return control.option(jail, second);
    }
    case 'unban':
      return { unbanned: await control.unbanEverywhere(opts['all'] === true ? 'all' : request.args) };
    case 'banned': {
      const byIp = new Map<string, string[]>();
      for (const ban of control.activeBans({ covering: request.args })) byIp.set(ban.ip, [...(byIp.get(ban.ip) ?? []), ban.jail]);
      return [...byIp].map(([ip, jails]) => ({ ip, jails }));
    }
    case 'report': {
      const jail = jailNamed(control, first);
      const ip = reportedAddress(second);
      const time = opts['time'] === undefined ? undefined : Number(opts['time']);
      if (time !== undefined && !Number.isFinite(time)) throw new BanwardError('BANWARD_ERR_COMMAND', `report: --time must be epoch seconds, not ${String(opts['time'])}`);
      const ban = await control.report(jail, ip, {
        ...(typeof opts['user'] === 'string' ? { user: opts['user'] } : {}),
        ...(time !== undefined ? { time } : {}),
      });
      return { accepted: true, ban };
    }
    case 'test-config':
      return { ok: true, jails: control.jailNames() };
    case 'dump-config':
      return { jails: Object.fromEntries(control.jailNames().map((name) => [name, control.resolvedOptions(name)])) };
    case 'watch':
      // Admin socket only: the events carry log lines and user names, more than an app may read.
      return new ReplyStream({ jails: control.jailNames() }, (send) => control.subscribe(send));
    case 'fleet': {
      const fleet = await control.fleetStatus();
      if (!fleet) throw new BanwardError('BANWARD_ERR_COMMAND', 'this node is in no fleet: add a [fleet] section to banward.conf (docs/fleet.md)');
      return fleet;
    }
    default:
      // Requests are validated against COMMANDS; this guards a command added there without a case here.
      throw new BanwardError('BANWARD_ERR_COMMAND', `unknown command '${request.command as string}'`);
  }
}
