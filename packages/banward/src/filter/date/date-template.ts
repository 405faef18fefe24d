/**
 * One date template: a regex that finds a date in a line (with fail2ban's word/line boundary rules) and a
 * way to turn the text it found into epoch seconds. Three kinds, as in fail2ban: strptime patterns,
 * Unix epochs (seconds, or milli/microseconds for the long form) and TAI64N labels.
 */
import { BanwardError } from '../../errors.js';
import { compileNumberedPattern, isAscii, type NumberedPattern } from '../regex/python-regex.js';
import { FIELD_KEYS, fieldsToEpoch, type FieldGroup, type TimeContext } from './strptime-fields.js';
import { ALPHA_DIRECTIVE_RE, expandDirectives } from './strptime-directives.js';

export const LINE_BEGIN = 8;
export const LINE_END = 4;
export const WORD_BEGIN = 2;
export const WORD_END = 1;

/** When a template's regex is compiled: at once (a datepattern of the config, refused at load), or on first use. */
export type CompileWhen = 'now' | 'when-used';

/** `true`: the date must start at a word boundary; `'start'`: near the line's start; `false`: anywhere. */
export type WordBegin = boolean | 'start';

const LINE_BEGIN_PREFIX = '{^LN-BEG}';
const UNBOUND_RE = /^\{UNB\}/;
const LINE_BEGIN_KEY_RE = /^\{\^LN-BEG\}/;
// How fail2ban reads the shape of a date regex (all on the Python-dialect text):
const INLINE_FLAGS_RE = /\(\?[a-z]+\)/;
const NO_WORD_BOUND_BEGIN_RE = /^\(*(?:\(\?\w+\))?(?:\^|\(*\*\*|\((?:\?:)?\^)/;
const NO_WORD_BOUND_END_RE = /(?<!\\)(?:\$\)?|\\b|\\s|\*\*\)*)$/;
const HAS_GROUP_RE = /(?<!\(\?)(?<!\\)\((?!\?)/;
const WHOLE_AS_GROUP_RE = /^((?:\(\?\w+\))?\^?(?:\(\?\w+\))?)(.*?)(\$?)$/;
const LINE_BOUND_BEGIN_RE = /^(?:\(\?\w+\))?(?:\^|\((?:\?:)?\^(?!\|))/;
const LINE_BOUND_END_RE = /(?<![\\|])(?:\$\)?)$/;
const STAR_MARKERS_RE = /^\(*(?:\(\?\w+\))?\(*\*\*|(?<!\\)\*\*\)*$/g;
const EPOCH_KEY_RE = /(?<!\\)\{L?EPOCH\}/gi;

const SHORT_EPOCH = '\\d{10,11}\\b(?:\\.\\d{3,6})?';
const LONG_EPOCH = '\\d{10,11}(?:\\d{3}(?:\\.\\d{1,6}|\\d{3})?)?';

function invalid(pattern: string, reason: string, cause?: unknown): BanwardError {
  return new BanwardError('BANWARD_ERR_DATEPATTERN', `Invalid datepattern '${pattern}': ${reason}`, { cause });
}

export abstract class DateTemplate {
  /** fail2ban's name for the template, as `fail2ban-regex` prints it. */
  readonly name: string;
  /** The strptime pattern it was built from; undefined for the built-in Epoch and TAI64N templates. */
  readonly pattern: string | undefined;
  /** The final regex in Python's dialect, for messages and tests. */
  readonly regex: string;
  readonly flags: number;
  /** Preference when reordering (fail2ban gives the line-start copies of its defaults 100). */
  weight = 1;
  /**
   * Compiled for ASCII-only lines (JavaScript's own \w and \b agree there) and for any line; a built-in
   * default is compiled when first tried, since a log's lines mostly stop at one of the first templates.
   */
  private compiledPattern: NumberedPattern | undefined;
  private readonly source: string;
  /** The same with the `d` flag, built the first time a match does not say where group 1 is. */
  private withIndices: NumberedPattern | undefined;

  protected constructor(
    regex: string,
    name: string,
    pattern: string | undefined,
    wordBegin: WordBegin,
    wordEnd: boolean,
    source: string,
    compile: CompileWhen = 'now',
  ) {
    let re = regex.trim();
    const inlineFlags = INLINE_FLAGS_RE.exec(re)?.[0];
    if (inlineFlags !== undefined) re = re.replace(INLINE_FLAGS_RE, '');
    const boundBegin = wordBegin !== false && !NO_WORD_BOUND_BEGIN_RE.test(re);
    const boundEnd = wordEnd && !NO_WORD_BOUND_END_RE.test(re);
    if (!HAS_GROUP_RE.test(re)) re = re.replace(WHOLE_AS_GROUP_RE, '$1($2)$3');
    let flags = 0;
    if (boundBegin) {
      if (wordBegin === 'start') {
        flags |= LINE_BEGIN;
        re = `^(?:\\W{0,2})?${re}`;
        if (!name.startsWith(LINE_BEGIN_PREFIX)) name = LINE_BEGIN_PREFIX + name;
      } else {
        flags |= WORD_BEGIN;
        re = `(?=^|\\b|\\W)${re}`;
      }
    }
    if (boundEnd) {
      flags |= WORD_END;
      re += '(?=\\b|\\W|$)';
    }
    if (LINE_BOUND_BEGIN_RE.test(re)) flags |= LINE_BEGIN;
    if (LINE_BOUND_END_RE.test(re)) flags |= LINE_END;
    re = re.replace(STAR_MARKERS_RE, (m) => m.replaceAll('**', ''));
    if (inlineFlags !== undefined) re = inlineFlags + re;
    this.name = name;
    this.pattern = pattern;
    this.regex = re;
    this.flags = flags;
    this.source = source;
    if (compile === 'now') void this.compiled;
  }

  private get compiled(): NumberedPattern {
    if (this.compiledPattern !== undefined) return this.compiledPattern;
    try {
      const compiled = compileNumberedPattern(this.regex, 'g');
      if (compiled.groupNames.length < 2) throw new Error('the date regex has no group');
      return (this.compiledPattern = compiled);
    } catch (error) {
      if (error instanceof BanwardError) throw error;
      throw invalid(this.source, error instanceof Error ? error.message : String(error), error);
    }
  }

  /** Name of each capturing group by number (undefined: unnamed). */
  protected get groupNames(): readonly (string | undefined)[] {
    return this.compiled.groupNames;
  }

  /** Python's `search(line, pos, endpos)`: the first match starting at or after `pos`, within `endpos`. */
  matchDate(line: string, pos: number | undefined, endpos: number | undefined, ascii: boolean): RegExpExecArray | null {
    const re = ascii ? this.compiled.ascii : this.compiled.unicode;
    re.lastIndex = pos ?? 0;
    return re.exec(endpos !== undefined && endpos < line.length ? line.slice(0, endpos) : line);
  }

  /**
   * Where group 1 (the date text) starts in the line. The `d` flag would say, at the price of index
   * arrays for every group on every line: a fixed number of characters after it, or the date text found
   * once in the match, can only put it there.
   */
  groupStart(m: RegExpExecArray): number {
    const text = m[1];
    if (text === undefined) return m.index;
    const tail = this.compiled.firstGroupTail;
    if (tail !== null) return m.index + m[0].length - tail - text.length;
    const at = m[0].indexOf(text);
    if (text !== '' && at === m[0].lastIndexOf(text)) return m.index + at;
    // Ambiguous: match again where this match began, the same match, now with its indices.
    const indexed = (this.withIndices ??= compileNumberedPattern(this.regex, 'gd'));
    const re = isAscii(m.input) ? indexed.ascii : indexed.unicode;
    re.lastIndex = m.index;
    return re.exec(m.input)!.indices![1]![0];
  }

  groupEnd(m: RegExpExecArray): number {
    return m[1] === undefined ? m.index : this.groupStart(m) + m[1].length;
  }

  /** Epoch seconds of the matched date, or null when the text is not a valid date. */
  abstract getDate(m: RegExpExecArray, ctx: TimeContext): number | null;
}

/** A datepattern with strptime directives (or a plain regex with a group around the date). */
export class PatternTemplate extends DateTemplate {
  private fieldLayout: { fields: FieldGroup[]; ampmIndex: number; timeGroups: number[] } | undefined;
  /** The last time computed and the texts it came from: consecutive lines mostly share their time. */
  private lastTexts: Array<string | undefined> = [];
  private lastTime: number | null = null;
  private lastCtx: TimeContext | undefined;
  private lastNow = Number.NaN;

  constructor(pattern: string, exYear: string, wordBegin: WordBegin = true, wordEnd = true, compile: CompileWhen = 'now') {
    let body = pattern;
    if (UNBOUND_RE.test(body)) {
      body = body.replace(UNBOUND_RE, '');
      wordBegin = false;
      wordEnd = false;
    }
    if (wordBegin !== false && LINE_BEGIN_KEY_RE.test(body)) {
      body = body.replace(LINE_BEGIN_KEY_RE, '');
      wordBegin = 'start';
    }
    const expanded = expandDirectives(body, exYear);
    if (expanded === null) throw invalid(pattern, "unknown % directive (write a literal percent sign as '%%')");
    const regex = ALPHA_DIRECTIVE_RE.test(body) ? `(?iu)${expanded.regex}` : expanded.regex;
    super(regex, expanded.name, pattern, wordBegin, wordEnd, pattern, compile);
  }

  /** The strptime fields by group number, and the groups the time depends on (not fractions of a second). */
  private get layout(): NonNullable<PatternTemplate['fieldLayout']> {
    if (this.fieldLayout !== undefined) return this.fieldLayout;
    const fields: FieldGroup[] = [];
    this.groupNames.forEach((name, index) => {
      if (name !== undefined && FIELD_KEYS.has(name)) fields.push({ index, key: name });
    });
    const ampmIndex = Math.max(0, this.groupNames.indexOf('p'));
    const timeGroups = fields.filter(({ key }) => key !== 'f').map(({ index }) => index);
    if (ampmIndex > 0) timeGroups.push(ampmIndex);
    return (this.fieldLayout = { fields, ampmIndex, timeGroups });
  }

  getDate(m: RegExpExecArray, ctx: TimeContext): number | null {
    const { fields, ampmIndex, timeGroups: groups } = this.layout;
    let same = ctx === this.lastCtx && ctx.now === this.lastNow;
    for (let i = 0; same && i < groups.length; i++) same = m[groups[i]!] === this.lastTexts[i];
    if (same) return this.lastTime;
    this.lastTime = fieldsToEpoch(m, fields, ampmIndex, ctx);
    this.lastTexts = groups.map((g) => m[g]);
    this.lastCtx = ctx;
    this.lastNow = ctx.now;
    return this.lastTime;
  }
}

export interface EpochOptions {
  /** Accept milli- and microsecond epochs too (fail2ban's LEPOCH). */
  long?: boolean;
  /** Only near the start of the line (fail2ban's `{^LN-BEG}EPOCH`). */
  lineBeginOnly?: boolean;
  /** A regex with `{EPOCH}` or `{LEPOCH}` standing for the number. */
  pattern?: string;
}

/** Unix time as a number of seconds (or, long form, milliseconds or microseconds). */
export class EpochTemplate extends DateTemplate {
  private readonly long: boolean;
  private readonly valueGroup: number;

  constructor(options: EpochOptions = {}) {
    const long = options.long ?? false;
    const epoch = long ? LONG_EPOCH : SHORT_EPOCH;
    const name = options.pattern ?? (long ? 'LongEpoch' : 'Epoch');
    if (options.pattern !== undefined) {
      const regex = `(${options.pattern.replace(EPOCH_KEY_RE, `(${epoch})`)})`;
      super(regex, name, undefined, true, true, options.pattern);
    } else if (options.lineBeginOnly) {
      super(`(${epoch})`, name, undefined, 'start', true, name);
    } else {
      // A number at the line's start, right after a leading "[", or inside SELinux's "audit(...)".
      super(`((?:^|(?<=^\\[)|(?<=\\baudit\\())${epoch})`, name, undefined, false, true, name);
    }
    this.long = long;
    this.valueGroup = options.pattern !== undefined ? 2 : 1;
  }

  getDate(m: RegExpExecArray): number | null {
    const text = m[this.valueGroup];
    if (text === undefined) return null;
    const value = Number(text);
    if (this.long && text.length >= 13) return text.length >= 16 && !text.includes('.') ? value / 1e6 : value / 1e3;
    return value;
  }
}

/** A TAI64N label (`@4000000041f4104f00000000`); read like fail2ban, without the TAI−UTC leap seconds. */
export class Tai64nTemplate extends DateTemplate {
  constructor(wordBegin: WordBegin = false) {
    super('@[0-9a-f]{24}', 'TAI64N', undefined, wordBegin, true, 'TAI64N');
  }

  getDate(m: RegExpExecArray): number | null {
    return parseInt((m[1] as string).slice(2, 17), 16);
  }
}
