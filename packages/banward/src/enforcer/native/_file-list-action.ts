import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { applyDiff, type Applied, type ElementDiff } from './_elements.js';
import { readIfExists, writeFileAtomic } from './_atomic-file.js';
import { SetAction, untimed } from './_set-action.js';

export interface FileListOptions {
  jail: string;
  /** The file the bans are written to. */
  file: string;
  clock: Clock;
  log: Logger;
  ipv6prefix: number | null;
}

/** What a file-backed action reads of its own block. */
interface ParsedBlock {
  elements: Applied;
  /** False when the block is missing or not as banward writes it (then it is rewritten). */
  complete: boolean;
}

/**
 * Actions whose bans are lines in a file another program reads (tcpd's hosts.deny, an nginx include).
 * Each jail's lines sit in a block of its own between `# banward begin <jail>` and `# banward end <jail>`
 * markers (`#` comments in both formats); whatever else the file holds — the admin's lines, other jails'
 * blocks — is kept as it is. The set-diffing is SetAction's; each batch is one atomic rewrite of the file,
 * then `afterWrite()` (nginx's reload). The file holds no expiry: the daemon lifts bans. Reading the block
 * back is the reconcile.
 */
export abstract class FileListAction extends SetAction {
  private readonly begin: string;
  private readonly end: string;

  constructor(protected readonly file: FileListOptions) {
    super(untimed(file));
    // encodeURIComponent leaves no space, newline or '#' in a marker, whatever the jail is called.
    const id = encodeURIComponent(file.jail);
    this.begin = `# banward begin ${id} (written by banward: edits are lost)`;
    this.end = `# banward end ${id}`;
  }

  /** The line that bans one element (a canonical key from elementKey). */
  protected abstract formatLine(key: string): string;
  /** The element a line of the block bans, or null for a line banward would not write. */
  protected abstract parseLine(line: string): { key: string; family: 4 | 6 } | null;
  /** Called after each write (nginx reloads); the default does nothing. */
  protected afterWrite(): Promise<void> {
    return Promise.resolve();
  }

  /** Lines before, in and after the jail's block (block: null when there is none). */
  private split(text: string): { before: string[]; block: string[] | null; after: string[] } {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const start = lines.indexOf(this.begin);
    const stop = start < 0 ? -1 : lines.indexOf(this.end, start + 1);
    if (start < 0 || stop < 0) return { before: lines.filter((l) => l !== this.begin && l !== this.end), block: null, after: [] };
    return { before: lines.slice(0, start), block: lines.slice(start + 1, stop), after: lines.slice(stop + 1) };
  }

  private parse(text: string | null): ParsedBlock {
    const elements: Applied = new Map();
    const block = text === null ? null : this.split(text).block;
    if (block === null) return { elements, complete: false };
    let complete = true;
    for (const line of block) {
      const e = this.parseLine(line);
      // A line banward would write otherwise (an option changed, an edit) makes the block be rewritten.
      if (!e || this.formatLine(e.key) !== line) complete = false;
      if (e) elements.set(e.key, { family: e.family, expires: null });
    }
    return { elements, complete };
  }

  /** The file's text with the jail's block holding `elements`, or without the block (null). */
  private render(text: string | null, elements: Applied | null): string {
    const { before, after } = this.split(text ?? '');
    const block = elements === null ? [] : [this.begin, ...[...elements.keys()].map((key) => this.formatLine(key)), this.end];
    const lines = [...before, ...block, ...after];
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  /** One atomic write of the file (the only place this action writes it), then afterWrite. */
  protected async rewrite(elements: Applied | null): Promise<void> {
    writeFileAtomic(this.file.file, this.render(readIfExists(this.file.file), elements));
    await this.afterWrite();
  }

  protected async read(): Promise<Applied> {
    const parsed = this.parse(readIfExists(this.file.file));
    if (!parsed.complete) {
      if (this.applied !== null) this.file.log.warn(`${this.name}: ${this.file.file} was changed outside banward: restoring the jail's lines`);
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
