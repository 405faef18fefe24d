import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { applyDiff, type Applied, type ElementDiff } from './_elements.js';
import { readIfExists, writeFileAtomic } from './_atomic-file.js';
import { SetAction } from './_set-action.js';

export interface FileListOptions {
  jail: string;
  /** The file the bans are written to. */
  file: string;
  clock: Clock;
  log: Logger;
  ipv6prefix: number | null;
}

/** What a file-backed action reads of its own part of the file. */
export interface ParsedList {
  elements: Applied;
  /** False when banward's part is missing or not as banward writes it (then it is rewritten). */
  complete: boolean;
}

/**
 * Actions whose bans are lines in a file another program reads (tcpd's hosts.deny, an nginx include).
 * The set-diffing is SetAction's; each batch here is one atomic rewrite of the file (banward's part of
 * it, the rest kept as it is), then `applied()` (nginx's reload). The file holds no expiry: the daemon
 * lifts bans. Reading the file back is the reconcile.
 */
export abstract class FileListAction extends SetAction {
  constructor(protected readonly file: FileListOptions) {
    // No timeouts in a file: every element is held until the daemon removes it.
    super({ jail: file.jail, clock: file.clock, log: file.log, ipv6prefix: file.ipv6prefix, maxTimeout: 0 });
  }

  /** banward's part of the file's text (null: no file). */
  protected abstract parse(text: string | null): ParsedList;
  /** The file's new text with banward's part holding `elements`, or without banward's part (null). */
  protected abstract render(text: string | null, elements: Applied | null): string;
  /** Called after each write (nginx reloads); the default does nothing. */
  protected afterWrite(): Promise<void> {
    return Promise.resolve();
  }

  private async rewrite(elements: Applied | null): Promise<void> {
    writeFileAtomic(this.file.file, this.render(readIfExists(this.file.file), elements));
    await this.afterWrite();
  }

  protected async read(): Promise<Applied> {
    const parsed = this.parse(readIfExists(this.file.file));
    if (!parsed.complete) {
      if (this.applied !== null) this.file.log.warn(`${this.name}: ${this.file.file} was changed outside banward: restoring its part`);
      await this.rewrite(parsed.elements);
    }
    return parsed.elements;
  }

  protected async write(diff: ElementDiff): Promise<void> {
    const next: Applied = new Map(this.applied ?? []);
    applyDiff(next, diff);
    await this.rewrite(next);
  }

  protected empty(): Promise<void> {
    return this.rewrite(new Map());
  }

  protected async remove(): Promise<void> {
    if (readIfExists(this.file.file) !== null) await this.rewrite(null);
  }

  check(): Promise<boolean> {
    try {
      return Promise.resolve(this.parse(readIfExists(this.file.file)).complete);
    } catch {
      return Promise.resolve(false);
    }
  }
}
