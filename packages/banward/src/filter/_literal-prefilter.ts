import type { PythonRegex } from './regex/python-regex.js';

type RequiredLiteral = PythonRegex['literal'];

interface LiteralGroup {
  text: string;
  /** The regexes (by index) that need this literal. */
  regexes: number[];
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
      const group = groups.get(text) ?? { text, regexes: [] };
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
    for (const i of this.always) mask[i] = 1;
    for (const group of this.contained) if (buf.includes(group.text)) for (const i of group.regexes) mask[i] = 1;
    const leading = this.leading.get(buf.charCodeAt(0));
    if (leading) for (const group of leading) if (buf.startsWith(group.text)) for (const i of group.regexes) mask[i] = 1;
    return mask;
  }
}
