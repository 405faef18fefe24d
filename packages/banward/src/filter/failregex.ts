import type { UseDns } from '../config/index.js';
import { BanwardError } from '../errors.js';
import { PythonRegex } from './regex/python-regex.js';

/** One log line split around its timestamp: text before the date, the date text, text after it. */
export type TupleLine = readonly [before: string, date: string, after: string];

export type { UseDns };

/** Captured values of a match; tuple tags (`F-TUPLE_*`) produce arrays. */
export type FailGroups = Record<string, unknown>;

// What fail2ban's tags stand for. <HOST> joins an address with a DNS name unless usedns = no.
const IP4 = String.raw`(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})`;
// fail2ban's IP6, in a shape V8's linear-time fallback accepts: it ends in `(?<=:):`, and every
// repetition before it ends in ':', so the lookbehind always holds and a plain ':' means the same; and
// the engine refuses nested counted repeats whose bounds multiply past 16 ({1,4} inside {1,7}), so a
// group of one to four hex digits is spelt as nested optionals (same matches, same order of trying).
const HEX4 = String.raw`[0-9a-fA-F](?:[0-9a-fA-F](?:[0-9a-fA-F][0-9a-fA-F]?)?)?`;
const IP6 = String.raw`(?P<ip6>(?:${HEX4}::?|::){1,7}(?:${HEX4}|:))`;
const DNS = String.raw`(?P<dns>[\w\-.^_]*\w)`;
const CIDR = String.raw`(?P<cidr>\d+)`;
const ADDR = String.raw`\[?(?:${IP4}|${IP6})\]?`;
const HOST = `(?:${ADDR}|${DNS})`;
const SUBNET = String.raw`\[?(?:${IP4}|${IP6})(?:/${CIDR})?\]?`;

const STATIC_TAGS: Record<string, string> = {
  IP4, 'F-IP4/': IP4, IP6, 'F-IP6/': IP6, ADDR, 'F-ADDR/': ADDR, CIDR, 'F-CIDR/': CIDR,
  SUBNET, 'F-SUBNET/': SUBNET, DNS, 'F-DNS/': DNS,
  'F-ID/': String.raw`(?P<fid>\S+)`, 'F-PORT/': String.raw`(?P<fport>\w+)`,
};
const GROUP_ALIASES: Record<string, string> = { id: 'fid', port: 'fport' };
const TAG = /<\/?[\w-]+\/?>/g;
const CUSTOM_TAG = /^(\/?)F-([A-Z0-9_-]+)$/;
const COMPLEX_NAME = /^(alt_|tuple_)(.*?)(?:_\d+)?$/;
// `((?i)x)` and `(?:(?i)x)` become the scoped `(?i:x)`, as fail2ban rewrites them.
const GLOBAL_TO_SCOPED_FLAGS = /(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)/g;

export function tagToGroupName(tag: string): string {
  const name = tag.toLowerCase();
  return GROUP_ALIASES[name] ?? name;
}

/** Replaces fail2ban's regex tags (`<HOST>`, `<F-USER>…</F-USER>`, `<SKIPLINES>`, …) with Python regex. */
export function resolveRegexTags(regex: string, useDns: UseDns = 'yes'): string {
  const open = new Set<string>();
  let skipLines = 0;
  return regex.replace(TAG, (tag) => {
    const name = tag.slice(1, -1);
    if (name === 'HOST') return useDns === 'no' ? ADDR : HOST;
    if (name === 'SKIPLINES') return String.raw`\n(?P<skiplines${skipLines++}>(?:(?:.*\n)*?))`;
    const fixed = STATIC_TAGS[name];
    if (fixed !== undefined) return fixed;
    const custom = CUSTOM_TAG.exec(name);
    if (!custom) return tag;
    const [, closing, id] = custom as unknown as [string, string, string];
    if (closing) return open.has(id) ? ')' : tag;
    open.add(id);
    return `(?P<${tagToGroupName(id)}>`;
  });
}

/** The Python pattern a failregex stands for: tags resolved, `((?i)x)` made scoped (fail2ban's getRegex()). */
export function pythonSource(regex: string, useDns?: UseDns): string {
  return resolveRegexTags(regex, useDns).replace(GLOBAL_TO_SCOPED_FLAGS, '$1:');
}

export function joinTupleLines(lines: readonly TupleLine[]): string {
  let buf = '';
  for (const [before, , after] of lines) buf += before + after + '\n';
  return buf;
}

export interface RegexHit {
  groups: FailGroups;
  /** The buffered lines the match covers (without lines <SKIPLINES> stepped over). */
  matched: TupleLine[];
  /** The remaining buffered lines. */
  unmatched: TupleLine[];
}

/** A filter regex with fail2ban's tags resolved, searched over a buffer of tuple lines. */
export class TaggedRegex {
  /** The regex as written, tags and all. */
  readonly original: string;
  /** The Python pattern after tag resolution (fail2ban's getRegex()). */
  readonly source: string;
  readonly regex: PythonRegex;
  private readonly alternates: Array<[string, string]> = [];
  private readonly tuples: Array<[string, string]> = [];
  private readonly skipGroups: string[];

  constructor(regex: string, options: { multiline?: boolean; useDns?: UseDns } = {}) {
    const resolved = pythonSource(regex, options.useDns);
    if (resolved.trim() === '') throw new BanwardError('BANWARD_ERR_REGEX', 'Cannot add empty regex');
    this.original = regex;
    this.source = resolved;
    try {
      this.regex = new PythonRegex(resolved, { multiline: options.multiline ?? false });
    } catch (error) {
      const reason = error instanceof BanwardError && error.cause instanceof Error ? error.cause.message : String(error);
      throw new BanwardError('BANWARD_ERR_REGEX', `Unable to compile regular expression '${regex}': ${reason}`, { cause: error });
    }
    for (const group of [...this.regex.groupNames].sort()) {
      const m = COMPLEX_NAME.exec(group);
      if (m && group.length > 4) (m[1] === 'alt_' ? this.alternates : this.tuples).push([group, tagToGroupName(m[2]!)]);
    }
    this.skipGroups = [...this.regex.groupNames].filter((g) => /^skiplines\d+$/.test(g)).sort();
  }

  hasGroup(name: string): boolean {
    return this.regex.groupNames.has(name);
  }

  search(buf: string, lines: readonly TupleLine[], ascii?: boolean): RegexHit | null {
    const m = this.regex.search(buf, ascii);
    if (m === null) return null;
    const groups: FailGroups = m.groups;
    for (const [from, to] of this.alternates) {
      if (groups[from] && !groups[to]) groups[to] = groups[from];
    }
    for (const [from, to] of this.tuples) {
      const current = groups[to];
      groups[to] = Array.isArray(current) ? [...(current as unknown[]), groups[from]] : [current, groups[from]];
    }
    if (lines.length <= 1) return { groups, matched: [...lines], unmatched: [] };
    return { groups, ...this.splitLines(buf, m.start, m.end, lines, groups) };
  }

  private splitLines(buf: string, start: number, end: number, lines: readonly TupleLine[], groups: FailGroups) {
    const lineStart = buf.lastIndexOf('\n', start) + 1;
    let lineEnd = buf.indexOf('\n', Math.max(end - 1, 0)) + 1;
    if (lineEnd === 0) lineEnd = buf.length;
    const first = countNewlines(buf, lineStart);
    const last = countNewlines(buf, lineEnd);
    const matched = lines.slice(first, last);
    const unmatched = lines.slice(0, first);
    let n = 0;
    for (const skipped of this.skippedLines(groups)) {
      const at = matched.slice(n).findIndex(([b, , a]) => b + a === skipped);
      if (at >= 0) {
        unmatched.push(...matched.splice(n + at, 1));
        n += at;
      }
    }
    unmatched.push(...lines.slice(last));
    return { matched, unmatched };
  }

  private skippedLines(groups: FailGroups): string[] {
    let text = '';
    for (const g of this.skipGroups) if (typeof groups[g] === 'string') text += groups[g];
    return text === '' ? [] : text.replace(/\n$/, '').split('\n');
  }
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
