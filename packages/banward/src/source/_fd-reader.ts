import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { clipLine, MAX_LINE_LENGTH } from './line-reader.js';

/** Bytes held of each end of a long line: half of MAX_LINE_LENGTH characters of up to 4 UTF-8 bytes each. */
const END_BYTES = MAX_LINE_LENGTH * 2;
const CHUNK = 64 * 1024;
const NL = 0x0a;
const CR = 0x0d;

/**
 * Reads complete lines from one open file (one inode), from a byte offset on. The last line is held
 * until its `\n` arrives; a line longer than the bound keeps its start and its end (clipLine).
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
  /** The latest bytes of a line longer than `held` can take, up to END_BYTES; `cut` once some were dropped. */
  private tail: Buffer | null = null;
  private cut = false;
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
    this.tail = null;
    this.cut = false;
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
        // A line whole in this chunk is decoded where it lies; only one split across reads is copied.
        if (this.heldBytes === 0 && this.tail === null && nl - start <= END_BYTES) lines.push(this.decodeLine(chunk.subarray(start, nl)));
        else {
          this.hold(chunk.subarray(start, nl));
          lines.push(this.takeLine());
        }
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
    if (bytes.length === 0) return;
    const room = END_BYTES - this.heldBytes;
    // The read buffer is reused for the next chunk: keep copies.
    if (room > 0) {
      const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
      this.held.push(Buffer.from(kept));
      this.heldBytes += kept.length;
      bytes = bytes.subarray(kept.length);
      if (bytes.length === 0) return;
    }
    const joined = this.tail === null ? bytes : Buffer.concat([this.tail, bytes]);
    if (joined.length > END_BYTES) this.cut = true;
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - END_BYTES)));
  }

  /** A line's bytes (up to END_BYTES, without its `\n`) as text, a trailing `\r` dropped. */
  private decodeLine(bytes: Buffer): string {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return clipLine(this.decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end)));
  }

  private takeLine(): string {
    const head = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    let tail = this.tail;
    const cut = this.cut;
    this.held = [];
    this.heldBytes = 0;
    this.tail = null;
    this.cut = false;
    if (!cut) return this.decodeLine(tail === null ? head : Buffer.concat([head, tail]));
    if (tail![tail!.length - 1] === CR) tail = tail!.subarray(0, tail!.length - 1);
    // The two ends are decoded apart: a character the cut splits becomes U+FFFD, never a different one.
    const start = this.decoder.decode(head);
    const end = this.decoder.decode(tail!);
    const half = Math.ceil(MAX_LINE_LENGTH / 2);
    return start.slice(0, half) + end.slice(Math.max(0, end.length - (MAX_LINE_LENGTH - half)));
  }
}
