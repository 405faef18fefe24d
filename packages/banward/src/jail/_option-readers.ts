/**
 * Typed reads of one section's options that never throw: each problem is collected with the file
 * and line that wrote the option, so a whole configuration is checked in one pass.
 */
import { getOption, parseBooleanWord, parseTimeValue, type ConfigStore, type SourcedValue } from '../config/index.js';
import { BanwardError, isBanwardError, type ErrorLocation } from '../errors.js';

export interface OptionText extends ErrorLocation {
  text: string;
}

export class SectionReader {
  readonly problems: BanwardError[] = [];
  /** Every option name asked for, so options nothing reads can be told apart. */
  readonly asked = new Set<string>();

  constructor(private readonly store: ConfigStore, readonly section: string) {}

  /** Records a problem with option `name` (or a thrown error) at `where`. */
  fail(name: string, where: ErrorLocation, message: string): void {
    this.problems.push(new BanwardError('BANWARD_ERR_CONFIG_VALUE', `[${this.section}] ${name}: ${message}`, where));
  }

  /** Runs `read`; a BanwardError it throws becomes a problem of option `name`. */
  attempt<T>(name: string, where: ErrorLocation, read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!isBanwardError(error)) throw error;
      this.fail(name, { file: error.file ?? where.file, line: error.line ?? where.line }, error.message);
      return undefined;
    }
  }

  /** The interpolated value, or undefined when the option is not set (or cannot be interpolated). */
  text(name: string): OptionText | undefined {
    this.asked.add(name);
    try {
      const option = getOption(this.store, this.section, name);
      return option && { text: option.value.text, file: option.file, line: option.line };
    } catch (error) {
      if (!isBanwardError(error)) throw error;
      this.problems.push(error);
      return undefined;
    }
  }

  /** The value's non-empty lines, each with the file:line that wrote it (regex lists). */
  lines(name: string): SourcedValue[] | undefined {
    this.asked.add(name);
    try {
      const option = getOption(this.store, this.section, name);
      if (!option) return undefined;
      return option.value.split('\n').filter((l) => l.text.trim() !== '').map((l) => ({ value: l.text, ...l.origin() }));
    } catch (error) {
      if (!isBanwardError(error)) throw error;
      this.problems.push(error);
      return undefined;
    }
  }

  /** Like text(), but an empty value counts as not set (fail2ban passes '' as None for most options). */
  nonEmpty(name: string): OptionText | undefined {
    const value = this.text(name);
    return value && value.text.trim() !== '' ? { ...value, text: value.text.trim() } : undefined;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.nonEmpty(name);
    if (!value) return fallback;
    const bool = parseBooleanWord(value.text);
    if (bool !== undefined) return bool;
    this.fail(name, value, `expected true or false (also yes/no, on/off, 1/0), not ${JSON.stringify(value.text)}`);
    return fallback;
  }

  int(name: string, fallback: number, min: number): number {
    const value = this.nonEmpty(name);
    if (!value) return fallback;
    const n = Number(value.text);
    if (!/^[+-]?\d+$/.test(value.text) || !Number.isSafeInteger(n)) {
      this.fail(name, value, `expected a whole number, not ${JSON.stringify(value.text)}`);
      return fallback;
    }
    if (n < min) {
      this.fail(name, value, `must be ${min} or more, not ${n}`);
      return fallback;
    }
    return n;
  }

  /** Seconds from a time value; `positive` rejects 0 and negatives. */
  seconds(name: string, fallback: number, positive: boolean): number {
    const value = this.nonEmpty(name);
    if (!value) return fallback;
    const n = this.attempt(name, value, () => parseTimeValue(value.text));
    if (n === undefined) return fallback;
    if (positive && n <= 0) {
      this.fail(name, value, `must be a time above 0, not ${JSON.stringify(value.text)}`);
      return fallback;
    }
    return n;
  }

  /** A value from a fixed set of words (compared lower-cased). */
  oneOf<T extends string>(name: string, words: readonly T[]): T | undefined {
    const value = this.nonEmpty(name);
    if (!value) return undefined;
    const word = value.text.toLowerCase() as T;
    if (words.includes(word)) return word;
    this.fail(name, value, `expected one of ${words.join(', ')}, not ${JSON.stringify(value.text)}`);
    return undefined;
  }
}
