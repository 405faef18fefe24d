import { appendFileSync } from 'node:fs';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { BanAction, BanTicket } from './ban-action.js';

/**
 * Records bans without enforcing them (a dry run, and the action that proves the pipeline): a line per
 * ban and unban, to a file when `path` is given, else to the daemon log.
 */
export class LogAction implements BanAction {
  readonly name: string;
  readonly notifyOnly = true;

  constructor(
    private readonly options: { name?: string; path?: string; clock: Clock; log: Logger },
  ) {
    this.name = options.name ?? 'log';
  }

  private write(event: string, tickets: readonly BanTicket[]): void {
    for (const t of tickets) {
      const line = `${event} jail=${t.jail} ip=${t.ip} bantime=${t.bantime} bancount=${t.banCount} time=${this.options.clock()}`;
      if (this.options.path) appendFileSync(this.options.path, line + '\n');
      else this.options.log.info(line);
    }
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async check(): Promise<boolean> {
    return true;
  }
  async ban(tickets: readonly BanTicket[]): Promise<void> {
    this.write('ban', tickets);
  }
  async unban(tickets: readonly BanTicket[]): Promise<void> {
    this.write('unban', tickets);
  }
  async flush(): Promise<void> {
    this.write('flush', []);
  }
}
