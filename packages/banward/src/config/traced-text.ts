/**
 * Text that remembers where each piece came from. Interpolation and tag substitution splice values
 * into each other; keeping origins on the pieces lets the engine report a bad regex at the line that
 * wrote it (`filter.d/sshd.conf:42`), even after several levels of `%(x)s` and `<tag>` expansion.
 */
export interface Origin {
  file: string;
  line: number;
}

interface Segment extends Origin {
  text: string;
  /** How many substitutions deep this piece was spliced in; 0 = written in the option itself. */
  depth: number;
}

const NO_ORIGIN: Origin = { file: '', line: 0 };

export class TracedText {
  readonly text: string;
  private readonly segments: readonly Segment[];

  private constructor(segments: readonly Segment[]) {
    this.segments = segments;
    this.text = segments.map((s) => s.text).join('');
  }

  /** Text written at one place; `text` may hold several lines, numbered from `origin.line`. */
  static of(text: string, origin: Origin = NO_ORIGIN): TracedText {
    return new TracedText([{ text, file: origin.file, line: origin.line, depth: 0 }]);
  }

  /** Lines of one multi-line value, each with its own line number. */
  static fromLines(lines: readonly { text: string; line: number }[], file: string): TracedText {
    const segments: Segment[] = [];
    lines.forEach((l, i) => {
      if (i > 0) segments.push({ text: '\n', file, line: l.line, depth: 0 });
      segments.push({ text: l.text, file, line: l.line, depth: 0 });
    });
    return new TracedText(segments);
  }

  static join(parts: readonly TracedText[]): TracedText {
    return new TracedText(parts.flatMap((p) => p.segments));
  }

  get length(): number {
    return this.text.length;
  }

  /** The same text, marked as spliced in `levels` deeper. */
  nest(levels = 1): TracedText {
    return new TracedText(this.segments.map((s) => ({ ...s, depth: s.depth + levels })));
  }

  slice(start: number, end: number = this.text.length): TracedText {
    const out: Segment[] = [];
    let pos = 0;
    for (const s of this.segments) {
      const from = Math.max(start, pos);
      const to = Math.min(end, pos + s.text.length);
      // Keep empty pieces that sit inside the range: they carry the origin of empty values.
      if (from < to || (s.text.length === 0 && pos >= start && pos <= end)) {
        out.push({ ...s, text: s.text.slice(from - pos, to - pos) });
      }
      pos += s.text.length;
    }
    if (out.length === 0 && this.segments.length > 0) {
      out.push({ ...this.pieceAt(start), text: '' });
    }
    return new TracedText(out);
  }

  /** Replaces every occurrence of `needle` with `replacement`, one level deeper than the needle. */
  replaceAll(needle: string, replacement: TracedText): TracedText {
    const parts: TracedText[] = [];
    let from = 0;
    for (let at = this.text.indexOf(needle); at >= 0; at = this.text.indexOf(needle, from)) {
      parts.push(this.slice(from, at), replacement.nest(this.pieceAt(at + 1).depth + 1));
      from = at + needle.length;
    }
    if (from === 0) return this;
    parts.push(this.slice(from));
    return TracedText.join(parts);
  }

  split(separator: string): TracedText[] {
    const out: TracedText[] = [];
    let from = 0;
    for (let at = this.text.indexOf(separator); at >= 0; at = this.text.indexOf(separator, from)) {
      out.push(this.slice(from, at));
      from = at + separator.length;
    }
    out.push(this.slice(from));
    return out;
  }

  trimEnd(): TracedText {
    return this.slice(0, this.text.trimEnd().length);
  }

  /**
   * Where this text was written: the shallowest piece holding visible text, so a regex line built
   * from `%(x)s` references is reported where it was listed, not where its fragments live.
   */
  origin(): Origin {
    let best: Segment | undefined;
    for (const s of this.segments) {
      if (s.file === '' || s.text.trim() === '') continue;
      if (!best || s.depth < best.depth) best = s;
    }
    best ??= this.segments.find((s) => s.file !== '');
    return best ? { file: best.file, line: best.line } : NO_ORIGIN;
  }

  toString(): string {
    return this.text;
  }

  private pieceAt(index: number): Segment {
    let pos = 0;
    for (const s of this.segments) {
      if (index < pos + s.text.length) return s;
      pos += s.text.length;
    }
    // Callers only ask for a position inside the text, so there is a last segment.
    return this.segments[this.segments.length - 1]!;
  }
}
