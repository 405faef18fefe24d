import type { FilterDefinition } from '../config/index.js';
import type { Filter } from '../filter/filter.js';
import { matchDetails } from '../filter/match-details.js';
import type { BanwardWarning } from '../warnings.js';
import type { LineVerdict, SessionStats } from './_regex-session.js';

/** One JSON Lines record: the first failure that counts, with its captures and attempts. */
export function formatJsonVerdict(verdict: LineVerdict): string {
  const first = verdict.failures[0];
  const details = first ? matchDetails(first) : null;
  const record = {
    line: verdict.line,
    result: verdict.result,
    regex: first ? first.regexIndex + 1 : null,
    regexes: verdict.failures.map((f) => f.regexIndex + 1),
    fid: first?.id ?? null,
    host: details?.host ?? null,
    time: first?.time ?? null,
    attempts: details?.attempts ?? null,
    captures: details?.captures ?? null,
    date_template: verdict.dateTemplate,
  };
  return JSON.stringify(record) + '\n';
}

export function formatJsonSummary(stats: SessionStats, seconds: number, warnings: readonly BanwardWarning[]): string {
  return JSON.stringify({
    summary: {
      lines: stats.lines, ignored: stats.ignored, matched: stats.matched, missed: stats.missed,
      failregex: stats.failregexHits, ignoreregex: stats.ignoreregexHits,
      date_templates: Object.fromEntries(stats.dateTemplateHits), seconds,
      slowest: stats.slowest,
      warnings: warnings.map((w) => ({ code: w.code, message: w.message, file: w.file ?? null, line: w.line ?? null })),
    },
  }) + '\n';
}

function list(items: string[], header?: string): string {
  const head = header === undefined ? '' : `|- ${header}\n`;
  return `${head}${items.length ? '|  ' + items.join('\n|  ') + '\n' : ''}\`-\n`;
}

export interface ReportInput {
  stats: SessionStats;
  filter: Filter;
  seconds: number;
  definition: FilterDefinition | null;
  ignoreDefinition: FilterDefinition | null;
  source: string;
  printAll: { matched: boolean; missed: boolean; ignored: boolean };
  printLimit: number;
}

/** The human report, laid out like fail2ban-regex's so admins read it without learning anything new. */
export function formatReport(r: ReportInput): string {
  const { stats, filter } = r;
  let text = '\nRunning tests\n=============\n\n';
  text += r.definition
    ? `Use   failregex filter file : ${r.definition.name}, basedir: ${r.definition.file}\n`
    : `Use   failregex line : ${filter.failRegexes[0]?.original ?? ''}\n`;
  if (r.ignoreDefinition) text += `Use ignoreregex filter file : ${r.ignoreDefinition.name}\n`;
  text += `Use         ${r.source}\n\n\nResults\n=======\n`;
  if (filter.prefRegex) text += `\nPrefregex: ${filter.prefRegexMatches} total\n${list([filter.prefRegex.original])}`;
  const regexes = (title: string, sources: string[], hits: number[]): string => {
    const total = hits.reduce((a, b) => a + b, 0);
    const rows = sources.flatMap((source, i) => (hits[i] ? [`${String(i + 1).padStart(2)}) [${hits[i]}] ${source}`] : []));
    return `\n${title}: ${total} total\n${list(rows, ' #) [# of hits] regular expression')}`;
  };
  text += regexes('Failregex', filter.failRegexes.map((x) => x.original), stats.failregexHits);
  text += regexes('Ignoreregex', filter.ignoreRegexes.map((x) => x.original), stats.ignoreregexHits);
  const dates = [...stats.dateTemplateHits].map(([name, hits]) => `[${hits}] ${name}`);
  text += `\nDate template hits:\n${list(dates, '[# of hits] date format')}`;
  text += `\nLines: ${stats.lines} lines, ${stats.ignored} ignored, ${stats.matched} matched, ${stats.missed} missed\n`;
  text += `[processed in ${r.seconds.toFixed(2)} sec]\n\n`;
  const slowest = stats.slowest.map((s) => `line ${s.line}: ${s.ms.toFixed(3)} ms`);
  if (slowest.length > 0) text += list(slowest, 'Slowest line(s):');
  const section = (kind: 'matched' | 'ignored' | 'missed', lines: string[], count: number): string => {
    if (count === 0) return '';
    const header = `${kind[0]!.toUpperCase()}${kind.slice(1)} line(s):`;
    if (r.printAll[kind] || count <= r.printLimit) return list(lines, header);
    return `${header} too many to print.  Use --print-all-${kind} to print all ${count} lines\n`;
  };
  if (r.printAll.matched) text += section('matched', stats.matchedLines, stats.matched);
  text += section('ignored', stats.ignoredLines, stats.ignored);
  text += section('missed', stats.missedLines, stats.missed);
  return text;
}
