import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { formatIp, parseIp } from '../../net/ip-address.js';
import type { Checked } from '../../result.js';
import { elementKey } from './_elements.js';
import { FileListAction } from './_file-list-action.js';

export interface HostsDenyOptions {
  jail: string;
  /** Default /etc/hosts.deny. */
  file: string;
  /** tcpd's daemon list the lines name (`ALL`, `sshd`, `sshd, vsftpd`), already checked. */
  daemons: string;
  ipv6prefix: number | null;
  clock: Clock;
  log: Logger;
}

/** Daemon names as hosts_access(5) has them (`sshd`, `in.ftpd`, `sshd@192.0.2.1`): no `:`, `,`, space or newline. */
const DAEMON_RE = /^[A-Za-z0-9_.@+-]{1,64}$/;

/** `daemon_list = ALL` (the default) or a list of daemon names; `EXCEPT` and patterns are refused. */
export function parseDaemonList(text: string | undefined): Checked<string> {
  const names = (text ?? 'ALL').split(/[\s,]+/).filter(Boolean);
  const bad = names.find((n) => !DAEMON_RE.test(n) || n.toUpperCase() === 'EXCEPT');
  if (names.length === 0 || bad !== undefined) return { ok: false, reason: `daemon_list ${JSON.stringify(text)} is not a list of daemon names (or ALL)` };
  return { ok: true, value: names.map((n) => (n.toUpperCase() === 'ALL' ? 'ALL' : n)).join(', ') };
}

/** tcpd's client pattern for an element: `192.0.2.1`, `192.0.2.0/255.255.255.0`, `[2001:db8::1]`, `[2001:db8::]/64`. */
function pattern(key: string): string {
  const net = parseIp(key)!;
  if (net.family === 4) {
    if (net.prefix === 32) return key;
    const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - net.prefix)) - 1n);
    return `${formatIp({ family: 4, value: net.value, prefix: 32 })}/${formatIp({ family: 4, value: mask, prefix: 32 })}`;
  }
  const [addr, len] = key.split('/');
  return len === undefined ? `[${addr}]` : `[${addr}]/${len}`;
}

/** The element of a client pattern banward wrote, or null. */
function elementOfPattern(text: string): { key: string; family: 4 | 6 } | null {
  const m = /^\[([0-9A-Fa-f:.]+)\](?:\/(\d{1,3}))?$/.exec(text);
  const net = m ? parseIp(m[2] === undefined ? m[1]! : `${m[1]}/${m[2]}`) : parseIp(text);
  return net ? { key: elementKey(net), family: net.family } : null;
}

/**
 * tcp wrappers: a ban is a `daemons: client` line in /etc/hosts.deny, for the services built with
 * libwrap or run by tcpd, in the jail's own marked block (see FileListAction); the admin's lines are never
 * touched.
 */
export class HostsDenyAction extends FileListAction {
  readonly name = 'hostsdeny';

  constructor(private readonly options: HostsDenyOptions) {
    super({ jail: options.jail, file: options.file, clock: options.clock, log: options.log, ipv6prefix: options.ipv6prefix });
  }

  protected formatLine(key: string): string {
    return `${this.options.daemons}: ${pattern(key)}`;
  }

  protected parseLine(line: string): { key: string; family: 4 | 6 } | null {
    const m = /^[^:]+:\s*(\S+)$/.exec(line);
    return m ? elementOfPattern(m[1]!) : null;
  }
}
