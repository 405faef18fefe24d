import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { formatIp, parseIp } from '../../net/ip-address.js';
import type { Checked } from '../../result.js';
import { elementKey, type Applied } from './_elements.js';
import { FileListAction, type ParsedList } from './_file-list-action.js';

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
 * libwrap or run by tcpd. banward's lines sit in a block of their own per jail, between `# banward
 * begin` and `# banward end` markers; the admin's lines are never touched. Each batch is one atomic
 * rewrite (temporary file, same mode and owner, rename), and reading the block back is the reconcile.
 */
export class HostsDenyAction extends FileListAction {
  readonly name = 'hostsdeny';
  private readonly begin: string;
  private readonly end: string;

  constructor(private readonly options: HostsDenyOptions) {
    super({ jail: options.jail, file: options.file, clock: options.clock, log: options.log, ipv6prefix: options.ipv6prefix });
    // encodeURIComponent leaves no space, newline or '#' in the marker, whatever the jail is called.
    const id = encodeURIComponent(options.jail);
    this.begin = `# banward begin ${id} (written by banward: edits are lost)`;
    this.end = `# banward end ${id}`;
  }

  /** Lines before, in and after banward's block (in: null when there is none). */
  private split(text: string): { before: string[]; block: string[] | null; after: string[] } {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const start = lines.indexOf(this.begin);
    const stop = start < 0 ? -1 : lines.indexOf(this.end, start + 1);
    if (start < 0 || stop < 0) return { before: lines.filter((l) => l !== this.begin && l !== this.end), block: null, after: [] };
    return { before: lines.slice(0, start), block: lines.slice(start + 1, stop), after: lines.slice(stop + 1) };
  }

  protected parse(text: string | null): ParsedList {
    const elements: Applied = new Map();
    const block = text === null ? null : this.split(text).block;
    if (block === null) return { elements, complete: false };
    let complete = true;
    for (const line of block) {
      const m = /^([^:]+):\s*(\S+)$/.exec(line);
      const e = m ? elementOfPattern(m[2]!) : null;
      if (!e) { complete = false; continue; }
      // Lines for another daemon list (the option changed) are rewritten.
      if (m![1]!.trim() !== this.options.daemons) complete = false;
      elements.set(e.key, { family: e.family, expires: null });
    }
    return { elements, complete };
  }

  protected render(text: string | null, elements: Applied | null): string {
    const { before, after } = this.split(text ?? '');
    const block = elements === null ? [] : [this.begin, ...[...elements.keys()].map((key) => `${this.options.daemons}: ${pattern(key)}`), this.end];
    const lines = [...before, ...block, ...after];
    return lines.length ? `${lines.join('\n')}\n` : '';
  }
}
