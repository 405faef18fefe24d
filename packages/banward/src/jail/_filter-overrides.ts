/** The options a jail section may set over its filter's: maxlines, datepattern, journalmatch and the regex lists. */
import { splitShellWords } from '../config/index.js';
import type { SectionReader } from './_option-readers.js';
import type { JailOptions } from './jail-options.js';

function readJournalMatch(r: SectionReader): string[][] | undefined {
  const journalmatch = r.nonEmpty('journalmatch');
  if (!journalmatch) return undefined;
  const out: string[][] = [];
  for (const line of journalmatch.text.split('\n').filter((l) => l.trim() !== '')) {
    const words = splitShellWords(line);
    if ('error' in words) r.fail('journalmatch', journalmatch, `${JSON.stringify(line)}: ${words.error}`);
    else out.push(words);
  }
  return out;
}

export function readFilterOverrides(r: SectionReader, out: JailOptions): void {
  const maxlines = r.nonEmpty('maxlines');
  if (maxlines) out.maxlines = r.int('maxlines', 1, 1);
  const datepattern = r.nonEmpty('datepattern');
  if (datepattern) out.datepattern = datepattern.text;
  const journalmatch = readJournalMatch(r);
  if (journalmatch) out.journalmatch = journalmatch;
  // fail2ban reads a filter option the jail sets from the jail, not the filter (`fail2ban-client -d` shows it).
  for (const name of ['failregex', 'ignoreregex'] as const) {
    const lines = r.lines(name);
    if (lines && lines.length > 0) out[name] = lines;
  }
  const prefregex = r.lines('prefregex');
  if (prefregex?.[0]) out.prefregex = prefregex[0];
}
