import { statSync, type Stats } from 'node:fs';
import type { LogPosition } from './log-position.js';
import type { Logger } from '../log/logger.js';
import { FdReader } from './_fd-reader.js';
import { firstLineHash } from './_first-line-hash.js';

/** Where to start a file met for the first time with no saved position (fail2ban's `head`/`tail`). */
export type StartMode = 'head' | 'tail';

export interface TailHooks {
  log: Logger;
  decoder: TextDecoder;
  /** A reader whose path now names another file: the source keeps reading it for a while. */
  retire(reader: FdReader, path: string): void;
  /** A retired reader of this inode, handed back (a rotated file that a glob now matches by its new name). */
  adopt(ino: number, dev: number): FdReader | undefined;
}

export interface TailRead {
  lines: string[];
  /** The lines are (or the read began in) what the file held when first opened. */
  backlog: boolean;
  /** The read stopped at its byte limit: call again soon. */
  more: boolean;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * One log path followed across rotations: by rename (a new inode at the path) and by copytruncate
 * (the file shrank, or its first line changed). Rotation is judged as fail2ban's FileContainer does:
 * inode, size against our offset, and a hash of the first line.
 */
export class FileTail {
  private reader: FdReader | null = null;
  private hash = '';
  private everOpened = false;
  private lastError = '';
  /** Offset where the file ended when first opened from its start or a saved position; null once read past. */
  private backlogEnd: number | null = null;
  /** Whether the first open may find a backlog: only for files there at start (a later file is new). */
  public openedAtStart = true;

  constructor(
    readonly path: string,
    /** Applies only if the first open finds no usable saved position. */
    public startMode: StartMode,
    private readonly saved: LogPosition | undefined,
    private readonly hooks: TailHooks,
  ) {}

  /** True while the file has never been opened (it did not exist, or could not be read). */
  get waiting(): boolean {
    return !this.everOpened;
  }

  /** The error that keeps the file closed ('' when open, or merely missing). */
  get openError(): string {
    return this.lastError;
  }

  position(): LogPosition | undefined {
    if (!this.reader) return undefined;
    return { kind: 'file', offset: this.reader.offset, firstLineHash: this.hash, inode: this.reader.ino };
  }

  /** Bytes of the open file not read yet (0 while none is open). */
  lagBytes(): number {
    return this.reader ? Math.max(0, this.reader.size() - this.reader.readOffset) : 0;
  }

  poll(maxBytes: number): TailRead {
    const lines: string[] = [];
    if (this.reader) {
      const st = statOrNull(this.path);
      if (!st || st.ino !== this.reader.ino || st.dev !== this.reader.dev) {
        // Renamed away (logrotate `create`) or deleted: finish the old file first, then follow the path.
        lines.push(...this.reader.read(Number.POSITIVE_INFINITY).lines);
        this.hooks.retire(this.reader, this.path);
        this.reader = null;
        this.hash = '';
        if (st) this.hooks.log.info(`Log rotation detected for ${this.path}: a new file took its name`);
      }
    }
    if (!this.reader && !this.open()) return { lines, more: false, backlog: false };
    const reader = this.reader!;
    if (reader.size() < reader.readOffset) this.restart('it shrank (truncated)');
    else this.checkFirstLine();
    const backlog = this.backlogEnd !== null;
    const read = reader.read(maxBytes);
    if (this.backlogEnd !== null && reader.readOffset >= this.backlogEnd) this.backlogEnd = null;
    // A truncate-and-refill during the read would mix old and new content: the first line tells.
    // Dropping what was read then keeps every line single; the new content is read again from 0.
    if (this.checkFirstLine()) return { lines: [...lines, ...reader.read(maxBytes).lines], more: true, backlog };
    lines.push(...read.lines);
    return { lines, more: read.more, backlog };
  }

  /** Stops following the path; the open file is read to its end and retired (late writes still arrive). */
  detach(): string[] {
    if (!this.reader) return [];
    const lines = this.reader.read(Number.POSITIVE_INFINITY).lines;
    this.hooks.retire(this.reader, this.path);
    this.reader = null;
    return lines;
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
  }

  /** Restarts at 0 when the first line changed under us (copytruncate, or the file was replaced). */
  private checkFirstLine(): boolean {
    const hash = firstLineHash(this.reader!.fd);
    const changed = this.hash !== '' && hash !== this.hash;
    if (changed) this.restart('its first line changed');
    this.hash = hash;
    return changed;
  }

  private restart(reason: string): void {
    this.hooks.log.info(`Log rotation detected for ${this.path}: ${reason}; reading it from the start`);
    this.reader!.seek(0);
    this.hash = '';
    this.backlogEnd = null;
  }

  private open(): boolean {
    let reader: FdReader;
    try {
      reader = FdReader.open(this.path, this.hooks.decoder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.lastError = code === 'ENOENT' ? '' : String((error as Error).message);
      return false;
    }
    this.lastError = '';
    const adopted = this.hooks.adopt(reader.ino, reader.dev);
    if (adopted) {
      reader.close();
      reader = adopted;
    }
    this.reader = reader;
    this.hash = firstLineHash(reader.fd);
    const first = !this.everOpened;
    this.everOpened = true;
    if (adopted || !first) return true;
    const size = reader.size();
    const saved = this.saved?.kind === 'file' ? this.saved : undefined;
    if (saved && saved.firstLineHash === this.hash && saved.offset <= size) {
      reader.seek(saved.offset);
    } else if (saved) {
      this.hooks.log.info(`${this.path} changed since its saved position; reading it from the start`);
    } else if (this.startMode === 'tail') {
      reader.seek(size);
    }
    if (this.openedAtStart && reader.readOffset < size) this.backlogEnd = size;
    return true;
  }
}
