/**
 * One configuration file, parsed the way fail2ban's parser (Python's ConfigParser with `;` as the
 * inline comment prefix) reads it. Pure: text in, sections out.
 *
 * - `#` or `;` as the first visible character makes a line a comment; inside a value a comment line
 *   is skipped without ending the value.
 * - `;` starts an inline comment only at the start of a line or after whitespace; `#` never does.
 * - A line indented deeper than its option line continues the value; blank lines inside a value are
 *   kept, trailing ones dropped. Each kept line is stripped.
 * - Option names are everything before the first `=` or `:`, lower-cased; section names keep case.
 * - A section or option repeated within one file is an error (across files they merge).
 */
import { BanwardError } from '../errors.js';
import { TracedText } from './traced-text.js';

export const DEFAULT_SECTION = 'DEFAULT';

export interface RawOption {
  value: TracedText;
  file: string;
  /** Line of `name = …`. */
  line: number;
}

export type OptionMap = Map<string, RawOption>;

export interface IniFile {
  file: string;
  defaults: OptionMap;
  /** In file order; `[DEFAULT]` is kept apart in `defaults`. */
  sections: Map<string, OptionMap>;
}

const SECTION_RE = /^\[(.+)\]/;
const OPTION_RE = /^(.*?)\s*([=:])\s*(.*)$/;

/** Where an inline `;` comment starts, or -1. */
function inlineCommentStart(line: string): number {
  for (let i = line.indexOf(';'); i >= 0; i = line.indexOf(';', i + 1)) {
    if (i === 0 || /\s/.test(line.charAt(i - 1))) return i;
  }
  return -1;
}

function isCommentLine(line: string): boolean {
  const t = line.trim();
  return t.startsWith('#') || t.startsWith(';');
}

interface Pending {
  section: OptionMap;
  name: string;
  line: number;
  lines: { text: string; line: number }[];
}

export function parseIni(text: string, file: string): IniFile {
  const result: IniFile = { file, defaults: new Map(), sections: new Map() };
  const seen = new Set<string>();
  let current: { name: string; options: OptionMap } | undefined;
  let pending: Pending | undefined;
  let indentLevel = 0;
  const finish = (): void => {
    if (!pending) return;
    const value = TracedText.fromLines(pending.lines, file).trimEnd();
    pending.section.set(pending.name, { value, file, line: pending.line });
    pending = undefined;
  };
  // Typed on the name so that a call narrows like a `throw`.
  const fail: (lineno: number, message: string) => never = (lineno, message) => {
    throw new BanwardError('BANWARD_ERR_CONFIG_SYNTAX', message, { file, line: lineno });
  };

  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const lineno = index + 1;
    const comment = isCommentLine(raw) ? 0 : inlineCommentStart(raw);
    const value = (comment >= 0 ? raw.slice(0, comment) : raw).trim();
    if (value === '') {
      // A blank line belongs to the value being read; a comment line is simply skipped.
      if (comment < 0 && pending) pending.lines.push({ text: '', line: lineno });
      return;
    }
    const indent = raw.search(/\S/);
    if (pending && indent > indentLevel) {
      pending.lines.push({ text: value, line: lineno });
      return;
    }
    indentLevel = indent;
    finish();
    const header = SECTION_RE.exec(value);
    if (header) {
      const name = header[1]!;
      if (name === DEFAULT_SECTION) {
        current = { name, options: result.defaults };
        return;
      }
      if (seen.has(name)) fail(lineno, `section [${name}] appears twice in this file`);
      seen.add(name);
      const options: OptionMap = new Map();
      result.sections.set(name, options);
      current = { name, options };
      return;
    }
    if (!current) fail(lineno, `option outside of any section: ${JSON.stringify(raw.trim())}`);
    const section = current;
    const option = OPTION_RE.exec(value);
    const [, rawName, , text] = option ?? [];
    if (!rawName || text === undefined) {
      fail(lineno, `expected "name = value" or "[section]", found ${JSON.stringify(raw.trim())}`);
    }
    const name = rawName.trimEnd().toLowerCase();
    const key = `${section.name}\u0000${name}`;
    if (seen.has(key)) fail(lineno, `option "${name}" appears twice in section [${section.name}]`);
    seen.add(key);
    pending = {
      section: section.options,
      name,
      line: lineno,
      lines: [{ text: text.trim(), line: lineno }],
    };
  });
  finish();
  return result;
}
