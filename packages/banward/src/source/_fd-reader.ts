import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_LINE_LENGTH } from './line-reader.js';

/** Bytes of one held partial line: MAX_LINE_LENGTH characters of up to 4 UTF-8 bytes each. */
const MAX_LINE_BYTES = MAX_LINE_LENGTH * 4;
const CHUNK = 64 * 1024;
const NL = 0x0a;
const CR = 0x0d;

/**
 * Reads complete lines from one open file (one inode), from a byte offset on. The last line is held
 * until its `\n` arrives; a line longer than the bound keeps its start and loses the rest.
 */
export class FdReader {
  readonly fd: number;
  readonly ino: number;
  readonly dev: number;
  /** File offset read so far (including the held partial line). */
  private readPos: number;
  /** File offset where the held partial line starts: everything before it was delivered. */
  private lineStart: number;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private closed = false;

  private constructor(fd: number, ino: number, dev: number, offset: number, private readonly decoder: TextDecoder) {
    this.fd = fd;
    this.ino = ino;
    this.dev = dev;
    this.readPos = offset;
    this.lineStart = offset;
  }

  /** Opens a path; throws the fs error (ENOENT when missing). */
  static open(path: string, decoder: TextDecoder): FdReader {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      return new FdReader(fd, st.ino, st.dev, 0, decoder);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Offset of the first byte not yet delivered: what a saved position records. */
  get offset(): number {
    return this.lineStart;
  }

  /** Offset read so far, the held partial line included. */
  get readOffset(): number {
    return this.readPos;
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  /** Moves to an offset (rotation: 0; resume: a saved one), dropping any held partial line. */
  seek(offset: number): void {
    this.readPos = offset;
    this.lineStart = offset;
    this.held = [];
    this.heldBytes = 0;
  }

  /**
   * Reads what is available (up to maxBytes) and returns the complete lines.
   * `more` says the limit stopped the read before the end of the file.
   */
  read(maxBytes = 16 * 1024 * 1024): { lines: string[]; more: boolean } {
    const lines: string[] = [];
    const buffer = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    while (total < maxBytes) {
      const n = readSync(this.fd, buffer, 0, CHUNK, this.readPos);
      if (n <= 0) return { lines, more: false };
      total += n;
      const chunk = buffer.subarray(0, n);
      let start = 0;
      for (let nl = chunk.indexOf(NL, 0); nl >= 0; nl = chunk.indexOf(NL, start)) {
        this.hold(chunk.subarray(start, nl));
        lines.push(this.takeLine());
        start = nl + 1;
        this.lineStart = this.readPos + start;
      }
      if (start < n) this.hold(chunk.subarray(start));
      this.readPos += n;
    }
    return { lines, more: true };
  }

  /** The held partial line, delivered when the file will not grow any more (closing a rotated file). */
  flushPartial(): string | undefined {
    if (this.heldBytes === 0) return undefined;
    const line = this.takeLine();
    this.lineStart = this.readPos;
    return line;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private hold(bytes: Buffer): void {
    const room = MAX_LINE_BYTES - this.heldBytes;
    if (room <= 0 || bytes.length === 0) return;
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    // The read buffer is reused for the next chunk: keep a copy.
    this.held.push(Buffer.from(kept));
    this.heldBytes += kept.length;
  }

  private takeLine(): string {
    let bytes = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    const text = this.decoder.decode(bytes);
    return text.length > MAX_LINE_LENGTH ? text.slice(0, MAX_LINE_LENGTH) : text;
  }
}
