/**
 * fail2ban's default date templates, in its order, and the two ways a datepattern derives templates from
 * them: `{^LN-BEG}`-anchored copies (preferred, tried first) and `{DATE}` substitution.
 */
import { DateTemplate, EpochTemplate, LINE_BEGIN, PatternTemplate, Tai64nTemplate, type CompileWhen } from './date-template.js';

/** The default datepatterns, most common first; the order decides ties, as in fail2ban. */
export const DEFAULT_PATTERNS: readonly string[] = [
  // ISO 8601 and friends: 2005-01-23T21:59:59.981746+01:00, 2005/01/23 21:59:59, 2006.12.21 06:43:20
  '%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\\s*%z)?',
  // syslog / asctime: Sun Jan 23 21:59:59.011 2005
  '(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?',
  // year before the time: Sun Jan 23 2005 21:59:59.011
  '(?:%a )?%b %d %ExY %k:%M:%S(?:\\.%f)?',
  // 23/01/2005 21:59:59, 23/01/05 21:59:59, 17-07-2008 17:23:25
  '%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S',
  // Apache and named: [31/Oct/2006:09:22:55 -0000], 26-Jul-2007 15:20:52.252 +0200
  '%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\\.%f)?(?: %z)?',
  // cPanel: 05/20/2008:01:57:39
  '%m/%d/%ExY:%H:%M:%S',
  // 01-27-2012 16:22:44.252
  '%m-%d-%ExY %k:%M:%S(?:\\.%f)?',
  'EPOCH',
  // a time of day alone, at the start of the line
  '{^LN-BEG}%H:%M:%S',
  // <09/16/08@05:03:30>
  '^<%m/%d/%Exy@%H:%M:%S>',
  // MySQL: 130322 11:46:11
  '%Exy%Exm%Exd  ?%H:%M:%S',
  // Tomcat: Jan 23, 2005 9:59:59 PM
  '%b %d, %ExY %I:%M:%S %p',
  // ASSP: Apr-27-13 02:33:06
  '^%b-%d-%Exy %k:%M:%S',
  // compact ISO 8601: 20050123T215959, 20050123 215959
  '%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\\s*%z)?',
  // zone name first (monit): PDT Apr 16 21:05:29
  '(?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?',
  // zone offset first: +00:00 Jan 23 21:59:59.011 2005
  '(?:%z )?(?:%a )?%b %d %k:%M:%S(?:\\.%f)?(?: %ExY)?',
  'TAI64N',
];

const LINE_BEGIN_KEY = '{^LN-BEG}';
const EPOCH_IN_PATTERN_RE = /(?<!\\)\{L?EPOCH\}/i;
const DATE_KEY_RE = /(?<!\\)\{DATE\}/gi;

/** The template a datepattern line stands for (fail2ban's keywords EPOCH, LEPOCH, TAI64N included). */
export function templateFor(
  pattern: string, exYear: string, key = patternKey(pattern), compile: CompileWhen = 'now',
): DateTemplate {
  if (key.includes('EPOCH')) {
    if (EPOCH_IN_PATTERN_RE.test(pattern)) return new EpochTemplate({ pattern, long: key.includes('LEPOCH') });
    if (key === 'EPOCH' || key === '{^LN-BEG}EPOCH' || key === '^EPOCH') {
      return new EpochTemplate({ lineBeginOnly: key !== 'EPOCH' });
    }
    if (key === 'LEPOCH' || key === '{^LN-BEG}LEPOCH' || key === '^LEPOCH') {
      return new EpochTemplate({ lineBeginOnly: key !== 'LEPOCH', long: true });
    }
  }
  if (key === 'TAI64N' || key === '{^LN-BEG}TAI64N' || key === '^TAI64N') {
    return new Tai64nTemplate(key === 'TAI64N' ? false : 'start');
  }
  return new PatternTemplate(pattern, exYear, true, true, compile);
}

/** Keywords are case-insensitive, but only in patterns without `%` directives. */
export function patternKey(pattern: string): string {
  return pattern.includes('%') ? pattern : pattern.toUpperCase();
}

/** A copy of `template` whose pattern (or, for built-ins, name) is rewritten by `wrap`. */
function derivedTemplate(
  template: DateTemplate, wrap: (text: string) => string, exYear: string, compile: CompileWhen = 'now',
): DateTemplate {
  const text = wrap(template.pattern ?? template.name);
  return templateFor(text, exYear, patternKey(text), compile);
}

/** Strips the boundary markers a template's text may carry, leaving the bare date expression. */
function unbound(text: string): string {
  return text
    .replace(/^\{UNB\}/, '')
    .replace(/^\{\^LN-BEG\}/, '')
    .replace(/^\((?:\?:)?\^\|\\b\|\\W\)/, '')
    .replace(/\(\?=\\b\|\\W\|\$\)$/, '');
}

export interface DefaultTemplateSet {
  /** Line-start copies first (weight 100), then the defaults themselves. */
  all: readonly DateTemplate[];
  /** The defaults alone, in order. */
  plain: readonly DateTemplate[];
}

const setsByYearRegex = new Map<string, DefaultTemplateSet>();

/**
 * Built once per `%ExY` expansion and shared: templates hold no per-detector state. Each is compiled
 * when first tried (the defaults are known to compile).
 */
export function defaultTemplates(exYear: string): DefaultTemplateSet {
  let set = setsByYearRegex.get(exYear);
  if (set !== undefined) return set;
  const plain = DEFAULT_PATTERNS.map((pattern) => templateFor(pattern, exYear, patternKey(pattern), 'when-used'));
  const anchored: DateTemplate[] = [];
  for (const template of plain) {
    if (template.name.startsWith(LINE_BEGIN_KEY) || template.name.startsWith('^')) continue;
    const copy = derivedTemplate(template, (text) => LINE_BEGIN_KEY + text, exYear, 'when-used');
    if (copy.name === template.name) continue;
    copy.weight = 100;
    anchored.push(copy);
  }
  set = { all: [...anchored, ...plain], plain };
  setsByYearRegex.set(exYear, set);
  return set;
}

/** `{^LN-BEG}` as a whole datepattern: the defaults that only match near the line's start. */
export function lineBeginDefaults(exYear: string): DateTemplate[] {
  return defaultTemplates(exYear).all.filter((template) => (template.flags & LINE_BEGIN) !== 0);
}

/** A datepattern containing `{DATE}`: each default with its date expression put in place of `{DATE}`. */
export function dateKeyTemplates(pattern: string, exYear: string): DateTemplate[] {
  return defaultTemplates(exYear).plain.map((template) =>
    derivedTemplate(template, (text) => pattern.replace(DATE_KEY_RE, () => unbound(text)), exYear),
  );
}
