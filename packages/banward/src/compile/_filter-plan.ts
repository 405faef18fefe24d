/**
 * A jail's filter: the filter.d definition with the jail's overrides on top (maxlines, datepattern,
 * journalmatch, and failregex/ignoreregex written in the jail, which replace the filter's as in fail2ban),
 * compiled once so a regex or datepattern that cannot work is a problem at the line that wrote it.
 */
import { readFilter, type FilterDefinition, type SourcedValue, type UseDns } from '../config/index.js';
import { BanwardError, isBanwardError, type ErrorLocation } from '../errors.js';
import { Filter, type FilterSpec } from '../filter/filter.js';
import type { JailOptions } from '../jail/index.js';
import type { FilterPlan } from './jail-spec.js';

/** The location a thrown config error lacked (a datepattern's own error knows no file). */
function located(error: unknown, where: ErrorLocation | undefined): unknown {
  if (!isBanwardError(error) || error.file || !where?.file) return error;
  return new BanwardError(error.code, error.message, { ...where, cause: error });
}

function definitionOf(options: JailOptions, configDir: string, journal: boolean): FilterDefinition | null {
  if (!options.filter) return null;
  try {
    return readFilter(configDir, options.filter, journal ? { logtype: 'journal' } : {});
  } catch (error) {
    throw located(error, options.locations['filter']);
  }
}

/**
 * The filter the jail runs (null for a jail without filter and failregex: it takes app reports only) and
 * every file it was read from.
 */
export function planFilter(options: JailOptions, configDir: string, journal: boolean): { plan: FilterPlan | null; files: string[] } {
  const def = definitionOf(options, configDir, journal);
  const files = def?.files ?? [];
  const failregex: readonly SourcedValue[] | undefined = options.failregex ?? def?.failregex;
  if (!failregex) return { plan: null, files };
  const prefregex = options.prefregex ?? def?.prefregex;
  const maxlines = options.maxlines ?? def?.maxlines;
  const datepattern = options.datepattern ?? def?.datepattern?.value;
  const spec: FilterSpec = {
    failregex: [...failregex],
    ignoreregex: [...(options.ignoreregex ?? def?.ignoreregex ?? [])],
    ...(prefregex?.value ? { prefregex } : {}),
    ...(maxlines ? { maxlines } : {}),
    ...(datepattern ? { datepattern } : {}),
    ...(options.logtimezone ? { logtimezone: options.logtimezone } : {}),
    usedns: (options.usedns ?? def?.usedns ?? 'warn') satisfies UseDns,
    // Backlog lines (SourceLine.backlog) older than findtime are dropped; live ones with odd times count as now.
    checkFindTime: true,
    findTime: options.findtime,
  };
  let filter: Filter;
  try {
    filter = new Filter({ ...spec, now: () => 0 });
  } catch (error) {
    const where = isBanwardError(error) && error.code === 'BANWARD_ERR_TIMEZONE' ? options.locations['logtimezone']
      : options.datepattern ? options.locations['datepattern'] : def ? def.datepattern ?? { file: def.file } : undefined;
    throw located(error, where);
  }
  const plan: FilterPlan = {
    name: def?.name ?? null,
    spec,
    regexes: {
      datepattern: [spec.datepattern ?? 'the default date templates'],
      prefregex: filter.prefRegex ? [filter.prefRegex.original] : [],
      failregex: filter.failRegexes.map((r) => r.original),
      ignoreregex: filter.ignoreRegexes.map((r) => r.original),
    },
    journalmatch: options.journalmatch ?? def?.journalmatch ?? [],
    definition: def?.options ?? {},
  };
  return { plan, files };
}
