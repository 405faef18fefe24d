/**
 * Native `mail` action: a plain-text mail per ban through the local sendmail. Nothing passes
 * through a shell: sendmail gets its arguments from execve (`-i -f sender -- dest…`), the message
 * arrives on stdin, addresses are checked, and header values lose every control character, so a
 * log line or a jail name cannot add a header or a recipient. `-i` keeps a lone "." in a log line
 * from ending the message. Sent through the same bounded background queue as the webhook.
 *
 *   action = mail[dest="root@example.org", sender="banward@example.org", unban=no, matches=yes, whois=yes]
 *
 * `whois = yes` (or the path of a whois program) quotes the banned address's whois answer, looked up in
 * the background queue, sanitised (see _whois.ts).
 */
import { hostname } from 'node:os';
import type { Clock } from '../../clock.js';
import { FALSE_WORDS, TRUE_WORDS } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import { exitText, runProcess } from '../../process/index.js';
import type { BanAction, CanRun } from '../ban-action.js';
import type { ActionContext } from '../action-registry.js';
import { NotifyQueue, type Delivery } from './_notify-queue.js';
import type { ActionDTicket } from '../action-d/index.js';
import { whoisText } from './_whois.js';

export interface MailOptions {
  dest: string[];
  sender: string;
  senderName: string;
  sendmail: string;
  /** Also mail unbans; default false. */
  unban: boolean;
  /** Quote the log lines that led to the ban; default true. */
  matches: boolean;
  /** The whois program whose answer a ban's mail quotes; none by default. */
  whois?: string;
  /** Seconds sendmail may take; default 30. */
  timeout: number;
  clock: Clock;
  log: Logger;
  name?: string;
  retries?: number;
  backoffMs?: number;
}

const ADDRESS_RE = /^[^\s<>()"',;:\\@-][^\s<>()"',;:\\@]*(?:@[A-Za-z0-9.-]+)?$/;
const MAX_LINE = 990;

/** A header value on one line: control characters (CR, LF, NUL, …) become spaces. */
export function headerValue(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** RFC 2047 encoded-word when the value is not plain ASCII. */
function encodeHeader(text: string): string {
  const clean = headerValue(text);
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

function bodyLine(line: string): string {
  return line.replace(/[\r\u0000]/g, '').slice(0, MAX_LINE);
}

export function composeMail(options: Pick<MailOptions, 'dest' | 'sender' | 'senderName' | 'matches'>, event: 'ban' | 'unban', t: ActionDTicket, now: number, whois?: string): string {
  const verb = event === 'ban' ? 'banned' : 'unbanned';
  const host = hostname();
  const headers = [
    `Subject: ${encodeHeader(`[banward] ${t.jail}: ${verb} ${t.ip} from ${host}`)}`,
    `Date: ${new Date(now * 1000).toUTCString()}`,
    `From: ${encodeHeader(options.senderName)} <${headerValue(options.sender)}>`,
    `To: ${options.dest.map(headerValue).join(', ')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = [
    'Hi,',
    '',
    event === 'ban'
      ? `The IP ${t.ip} has just been banned by banward after ${t.failures} attempts against ${headerValue(t.jail)}.`
      : `The IP ${t.ip} has just been unbanned by banward (jail ${headerValue(t.jail)}).`,
  ];
  if (event === 'ban' && options.matches && t.matches.length > 0) {
    body.push('', 'Matches:', ...t.matches.flatMap((m) => m.split('\n')).map((l) => `  ${bodyLine(l)}`));
  }
  if (whois !== undefined) body.push('', `Whois for ${t.ip}:`, '', ...whois.split('\n').map((l) => `  ${l}`));
  body.push('', 'Regards,', 'banward');
  return `${headers.join('\n')}\n\n${body.join('\n')}\n`;
}

export class MailAction implements BanAction {
  readonly name: string;
  readonly notifyOnly = true;
  readonly queue: NotifyQueue<{ event: 'ban' | 'unban'; ticket: ActionDTicket; now: number; whois?: string }>;

  constructor(private readonly options: MailOptions) {
    this.name = options.name ?? 'mail';
    this.queue = new NotifyQueue(async (item) => {
      // Looked up once per mail, not again on each retry of sendmail.
      if (item.event === 'ban' && options.whois !== undefined) item.whois ??= await whoisText(options.whois, item.ticket.ip);
      return this.send(composeMail(options, item.event, item.ticket, item.now, item.whois));
    }, {
      name: `${this.name} ${options.dest.join(',')}`,
      log: options.log,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    });
  }

  private async send(message: string): Promise<Delivery> {
    const o = this.options;
    const r = await runProcess(o.sendmail, ['-i', '-f', o.sender, '--', ...o.dest], { input: message, timeoutMs: o.timeout * 1000, maxOutput: 2000 });
    if (r.ok) return 'ok';
    if (!r.started) {
      o.log.error(`${this.name}: ${exitText(r)}`);
      return 'fail';
    }
    const stderr = r.stderr.trim();
    o.log.warn(`${this.name}: ${o.sendmail} failed (${exitText(r)})${stderr ? `: ${stderr}` : ''}`);
    return 'retry';
  }

  private enqueue(event: 'ban' | 'unban', tickets: readonly ActionDTicket[]): void {
    for (const ticket of tickets) {
      if (ticket.restored) continue;
      this.queue.push({ event, ticket, now: this.options.clock() });
    }
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {
    await this.queue.close(10_000);
  }
  async check(): Promise<boolean> {
    return true;
  }
  async ban(tickets: readonly ActionDTicket[]): Promise<void> {
    this.enqueue('ban', tickets);
  }
  async unban(tickets: readonly ActionDTicket[]): Promise<void> {
    if (this.options.unban) this.enqueue('unban', tickets);
  }
  async flush(): Promise<void> {}
}

const yes = (v: string | undefined, dflt: boolean): boolean => (v === undefined ? dflt : TRUE_WORDS.includes(v.toLowerCase()));
const addresses = (v: string | undefined): string[] => (v ?? 'root').split(/[\s,]+/).filter(Boolean);

/** `whois = no` (default) → null, `yes` → Debian's whois on PATH, an absolute path → that program; undefined if neither. */
function whoisCommand(v: string | undefined): string | null | undefined {
  const text = (v ?? 'no').trim();
  if (text.startsWith('/')) return text;
  if (TRUE_WORDS.includes(text.toLowerCase())) return 'whois';
  return FALSE_WORDS.includes(text.toLowerCase()) ? null : undefined;
}

export const mailKind = {
  async canRun(options: Record<string, string>): Promise<CanRun> {
    const bad = [...addresses(options['dest']), options['sender'] ?? 'banward'].filter((a) => !ADDRESS_RE.test(a));
    if (bad.length > 0) return { ok: false, reason: `mail: not a mail address: ${bad.map((a) => JSON.stringify(a)).join(', ')}` };
    const timeout = Number(options['timeout'] ?? 30);
    if (!(timeout > 0)) return { ok: false, reason: `mail: timeout must be a positive number of seconds` };
    if (options['sendmail'] !== undefined && !options['sendmail'].startsWith('/')) return { ok: false, reason: 'mail: sendmail must be an absolute path' };
    if (whoisCommand(options['whois']) === undefined) return { ok: false, reason: 'mail: whois must be yes, no or the absolute path of a whois program' };
    return { ok: true };
  },
  create(options: Record<string, string>, ctx: ActionContext): BanAction {
    const whois = whoisCommand(options['whois']);
    return new MailAction({
      dest: addresses(options['dest']),
      sender: options['sender'] ?? 'banward',
      senderName: options['sendername'] ?? 'banward',
      sendmail: options['sendmail'] ?? '/usr/sbin/sendmail',
      unban: yes(options['unban'], false),
      matches: yes(options['matches'], true),
      ...(whois ? { whois } : {}),
      timeout: Number(options['timeout'] ?? 30),
      clock: ctx.clock,
      log: ctx.log,
    });
  },
};
