import type { PythonRegex } from './regex/python-regex.js';

type RequiredLiteral = PythonRegex['literal'];

interface LiteralGroup {
  text: string;
  /**
   * Where the literal is looked for: from its first letter or digit on. A line holds a space, a bracket
   * or a quote at many places, each of them a false start for a search that begins with it.
   */
  anchor: string;
  offset: number;
  /** The regexes (by index) that need this literal. */
  regexes: number[];
}

function literalGroup(text: string): LiteralGroup {
  const offset = Math.max(0, text.search(/[A-Za-z0-9]/));
  return { text, anchor: text.slice(offset), offset, regexes: [] };
}

function holds(buf: string, group: LiteralGroup): boolean {
  if (group.offset === 0) return buf.includes(group.text);
  for (let at = buf.indexOf(group.anchor, group.offset); at >= 0; at = buf.indexOf(group.anchor, at + 1)) {
    if (buf.startsWith(group.text, at - group.offset)) return true;
  }
  return false;
}

/**
 * One scan over a buffer says which failregexes may match it, from the literal text each one needs
 * (PythonRegex.literal): each distinct literal is looked for once however many regexes need it, and a
 * literal a match must start with is only compared when the buffer starts with its first character.
 * A regex it rules out is one whose `mayMatch` is false: the same answer, in fewer scans.
 */
export class LiteralPrefilter {
  private readonly mask: Uint8Array;
  private readonly always: number[] = [];
  private readonly contained: LiteralGroup[] = [];
  private readonly leading = new Map<number, LiteralGroup[]>();

  constructor(literals: readonly RequiredLiteral[]) {
    this.mask = new Uint8Array(literals.length);
    const inside = new Map<string, LiteralGroup>();
    const atStart = new Map<string, LiteralGroup>();
    literals.forEach(({ text, atStart: anchored }, index) => {
      if (text === '') {
        this.always.push(index);
        return;
      }
      const groups = anchored ? atStart : inside;
      const group = groups.get(text) ?? literalGroup(text);
      groups.set(text, group);
      group.regexes.push(index);
    });
    this.contained = [...inside.values()];
    for (const group of atStart.values()) {
      const first = group.text.charCodeAt(0);
      this.leading.set(first, [...(this.leading.get(first) ?? []), group]);
    }
  }

  /**
   * The regexes that may match `buf`: entry i is 1 when regex i may. The array is this prefilter's own
   * and is overwritten by the next scan.
   */
  scan(buf: string): Uint8Array {
    const mask = this.mask;
    mask.fill(0);
    for (let i = 0; i < this.always.length; i++) mask[this.always[i]!] = 1;
    for (let g = 0; g < this.contained.length; g++) {
      const group = this.contained[g]!;
      if (holds(buf, group)) for (let i = 0; i < group.regexes.length; i++) mask[group.regexes[i]!] = 1;
    }
    const leading = this.leading.get(buf.charCodeAt(0));
    if (leading) for (const group of leading) if (buf.startsWith(group.text)) for (const i of group.regexes) mask[i] = 1;
    return mask;
  }
}
