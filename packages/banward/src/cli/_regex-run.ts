/** `banward regex`'s work, loaded only when it runs: every other command starts without the filter engine. */
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { fixedClock, systemClock } from '../clock.js';
import { readFilter, type FilterDefinition } from '../config/index.js';
import { BanwardError } from '../errors.js';
import { Filter } from '../filter/filter.js';
import { backtrackWarnings } from '../filter/backtrack-warnings.js';
import { describeWarning } from '../warnings.js';
import { readLines } from '../source/line-reader.js';
import { usageError, type CommandContext } from './_command.js';
import { REGEX_COMMAND, type RegexOptions } from './regex-command.js';
import { BacktrackCache } from './_backtrack-cache.js';
import { bundledConfigDir } from './_paths.js';
import { RegexSession } from './_regex-session.js';
import { formatJsonSummary, formatJsonVerdict, formatReport } from './_regex-report.js';

const DEFAULT_PRINT_LIMIT = 20;
const FILTER_NAME = /^\/{0,3}[\w/.-]+(?:\[.*\])?$/s;

function parseNow(text: string | undefined): number {
  if (text === undefined) return systemClock();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw usageError(REGEX_COMMAND, `--now: not an epoch or ISO 8601 time: ${text}`);
  return ms / 1000;
}

/** FILTER or IGNOREREGEX: a filter name/path when it looks like one, otherwise a regex. */
function resolveFilterArg(configDir: string, value: string): FilterDefinition | null {
  if (!FILTER_NAME.test(value)) return null;
  return readFilter(configDir, value);
}

function* readLogFile(path: string): Generator<string> {
  try {
    yield* readLines(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BanwardError('BANWARD_ERR_LOG_UNREADABLE', `cannot read ${path}: ${reason}`, { cause: error });
  }
}

export async function runRegex({ values, args: positionals, out, err }: CommandContext<RegexOptions>): Promise<number> {
  const [log, filterArg, ignoreArg] = positionals as [string, string, string | undefined];
  const configDir = resolve(values.config ?? bundledConfigDir());
  if (values.config !== undefined && !existsSync(configDir)) throw usageError(REGEX_COMMAND, `--config: no such directory: ${configDir}`);
  const maxlines = values.maxlines === undefined ? undefined : Number(values.maxlines);
  if (maxlines !== undefined && !(Number.isInteger(maxlines) && maxlines > 0)) throw usageError(REGEX_COMMAND, '--maxlines takes a whole number above 0');

  const definition = resolveFilterArg(configDir, filterArg);
  const ignoreDefinition = ignoreArg === undefined ? null : resolveFilterArg(configDir, ignoreArg);
  const failregex = definition ? definition.failregex : [filterArg];
  const ignoreregex = [
    ...(definition?.ignoreregex ?? []),
    ...(ignoreArg === undefined ? [] : ignoreDefinition ? ignoreDefinition.ignoreregex : [ignoreArg]),
  ];
  const datepattern = values.datepattern ?? definition?.datepattern?.value;
  const usedns = values.usedns ?? definition?.usedns;

  const filter = new Filter({
    failregex,
    ignoreregex,
    ...(definition?.prefregex?.value ? { prefregex: definition.prefregex } : {}),
    ...(maxlines ?? definition?.maxlines ? { maxlines: maxlines ?? definition!.maxlines! } : {}),
    ...(datepattern !== undefined ? { datepattern } : {}),
    ...(values.timezone !== undefined ? { logtimezone: values.timezone } : {}),
    ...(usedns !== undefined ? { usedns } : {}),
    now: fixedClock(parseNow(values.now)),
    checkAllRegex: true,
    returnRawHost: true,
    checkFindTime: false,
    onIgnoreRegex: (i) => session.onIgnoreRegex(i),
  });
  const verdicts = new BacktrackCache();
  const warnings = backtrackWarnings(definition ? definition.failregex : [{ value: filterArg }], {
    multiline: filter.maxLineCount > 1, riskOf: verdicts.risk,
  });
  verdicts.save();
  for (const w of warnings) err.write(`WARNING ${describeWarning(w)}\n`);
  const keep = (all: boolean | undefined) => (all ? Infinity : DEFAULT_PRINT_LIMIT + 1);
  const session = new RegexSession(filter, ignoreregex.length, {
    matched: values['print-all-matched'] ? Infinity : 0,
    ignored: keep(values['print-all-ignored']),
    missed: keep(values['print-all-missed']),
  });

  const isFile = existsSync(log) && statSync(log).isFile();
  if (!isFile && /^\.{0,2}\/\S*$/.test(log)) {
    throw new BanwardError('BANWARD_ERR_LOG_UNREADABLE', `cannot read ${log}: no such file`);
  }
  const lines = isFile ? readLogFile(log) : log.split('\n');
  const started = process.hrtime.bigint();
  let chunk = '';
  for (const line of lines) {
    const verdict = session.test(line);
    if (values.json && verdict) {
      chunk += formatJsonVerdict(verdict);
      if (chunk.length > 1 << 16) { out.write(chunk); chunk = ''; }
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (values.json) {
    out.write(chunk + formatJsonSummary(session.stats, seconds, warnings));
  } else {
    out.write(formatReport({
      stats: session.stats, filter, seconds, definition, ignoreDefinition,
      source: isFile ? `log file : ${log}` : `single line : ${log.length > 53 ? `${log.slice(0, 50)}...` : log}`,
      printAll: {
        matched: values['print-all-matched'] ?? false,
        missed: values['print-all-missed'] ?? false,
        ignored: values['print-all-ignored'] ?? false,
      },
      printLimit: DEFAULT_PRINT_LIMIT,
    }));
  }
  return 0;
}
