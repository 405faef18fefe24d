const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into lines. Works on bytes, not strings, so a UTF-8 character split across two
 * chunks survives and the limit counts what the peer actually sent. `push` returns the complete lines
 * (without `\n` or a trailing `\r`) and whether the unfinished rest has grown past `maxBytes`.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes of a line begun but not yet ended by a newline. */
  get unfinishedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, at);
      if (this.pendingBytes + piece.length > this.maxBytes) return { lines, overflow: true };
      const bytes = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      const line = bytes.toString('utf8');
      lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = at + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return { lines, overflow: this.pendingBytes > this.maxBytes };
  }
}
