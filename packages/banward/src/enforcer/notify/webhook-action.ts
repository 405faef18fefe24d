/**
 * Native `webhook` action: each ban and unban is POSTed as JSON to `url`. With `secret`, the body is
 * signed — header `X-Banward-Signature: sha256=<hex HMAC-SHA256(secret, body)>` — so the receiver
 * can trust it. Delivery is fire-and-forget through a bounded queue with retries (network errors,
 * 408, 429 and 5xx are retried; other statuses are not), so a slow endpoint never delays a ban.
 *
 *   action = webhook[url="https://hooks.example/banward", secret="…", retries=3, timeout=10]
 */
import { createHmac } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { TRUE_WORDS } from '../../config/index.js';
import type { Logger } from '../../log/logger.js';
import type { BanAction, CanRun } from '../ban-action.js';
import type { ActionContext } from '../action-registry.js';
import { NotifyQueue, type Delivery } from './_notify-queue.js';
import type { ActionDTicket } from '../action-d/index.js';

export interface WebhookOptions {
  url: string;
  secret?: string;
  /** Seconds per request; default 10. */
  timeout?: number;
  retries?: number;
  backoffMs?: number;
  queueLimit?: number;
  /** Send the log lines that led to the ban; default false (they may hold personal data). */
  includeMatches?: boolean;
  name?: string;
  clock: Clock;
  log: Logger;
}

export interface WebhookEvent {
  event: 'ban' | 'unban';
  jail: string;
  ip: string;
  time: number;
  bantime: number;
  bancount: number;
  failures: number;
  restored: boolean;
  matches?: readonly string[];
  /** When banward sent the event (epoch seconds): lets a receiver refuse replays. */
  sent: number;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const RETRY_STATUS = (s: number): boolean => s === 408 || s === 429 || s >= 500;

export class WebhookAction implements BanAction {
  readonly name: string;
  readonly notifyOnly = true;
  readonly queue: NotifyQueue<WebhookEvent>;

  constructor(private readonly options: WebhookOptions) {
    this.name = options.name ?? 'webhook';
    this.queue = new NotifyQueue((e) => this.post(e), {
      name: `${this.name} ${new URL(options.url).host}`,
      log: options.log,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
      ...(options.queueLimit !== undefined ? { limit: options.queueLimit } : {}),
    });
  }

  private async post(event: WebhookEvent): Promise<Delivery> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'banward',
      'x-banward-event': event.event,
    };
    if (this.options.secret) headers['x-banward-signature'] = signBody(this.options.secret, body);
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout((this.options.timeout ?? 10) * 1000),
    });
    await response.body?.cancel();
    if (response.ok) return 'ok';
    this.options.log.warn(`${this.name}: ${this.options.url} answered ${response.status}`);
    return RETRY_STATUS(response.status) ? 'retry' : 'fail';
  }

  private enqueue(event: WebhookEvent['event'], tickets: readonly ActionDTicket[]): void {
    for (const t of tickets) {
      this.queue.push({
        event,
        jail: t.jail,
        ip: t.ip,
        time: t.time,
        bantime: t.bantime,
        bancount: t.banCount,
        failures: t.failures,
        restored: t.restored ?? false,
        ...(this.options.includeMatches ? { matches: t.matches } : {}),
        sent: this.options.clock(),
      });
    }
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {
    await this.queue.close(5000);
  }
  async check(): Promise<boolean> {
    return true;
  }
  async ban(tickets: readonly ActionDTicket[]): Promise<void> {
    this.enqueue('ban', tickets);
  }
  async unban(tickets: readonly ActionDTicket[]): Promise<void> {
    this.enqueue('unban', tickets);
  }
  async flush(): Promise<void> {}
}

function positive(options: Record<string, string>, key: string): number | undefined | string {
  const v = options[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : `${key} must be a non-negative number, not ${JSON.stringify(v)}`;
}

const NUMERIC = ['timeout', 'retries', 'backoff', 'queue'] as const;

export const webhookKind = {
  async canRun(options: Record<string, string>): Promise<CanRun> {
    let url: URL;
    try {
      url = new URL(options['url'] ?? '');
    } catch {
      return { ok: false, reason: 'webhook needs url="http(s)://…"' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `webhook url must be http or https, not ${url.protocol}` };
    for (const key of NUMERIC) {
      const n = positive(options, key);
      if (typeof n === 'string') return { ok: false, reason: `webhook ${n}` };
    }
    return { ok: true };
  },
  create(options: Record<string, string>, ctx: ActionContext): BanAction {
    const num = (key: (typeof NUMERIC)[number]): number | undefined => {
      const n = positive(options, key);
      return typeof n === 'number' ? n : undefined;
    };
    const opt = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> =>
      (v === undefined ? {} : { [key]: v }) as Partial<Record<K, V>>;
    return new WebhookAction({
      url: options['url'] ?? '',
      ...opt('secret', options['secret']),
      ...opt('timeout', num('timeout')),
      ...opt('retries', num('retries')),
      ...opt('backoffMs', num('backoff')),
      ...opt('queueLimit', num('queue')),
      includeMatches: TRUE_WORDS.includes((options['matches'] ?? '').toLowerCase()),
      clock: ctx.clock,
      log: ctx.log,
    });
  },
};
