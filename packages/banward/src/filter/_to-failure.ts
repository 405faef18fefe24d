import type { FailGroups, TupleLine } from './failregex.js';
import type { Failure } from './failure.js';
import type { FilterMatch } from './filter.js';

/** fail2ban's bookkeeping groups (and the flags the Failure carries typed): never the actions' tags. */
const INTERNAL_GROUPS = new Set(['matches', 'nofail-matches', 'mlfpending', 'mlfid', 'mlfgained', 'mlfforget', 'content', 'nofail']);

/** The named captures that are text (user, port, …); tuple and set groups and the bookkeeping stay here. */
function textCaptures(groups: FailGroups): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(groups)) {
    if (typeof value === 'string' && !INTERNAL_GROUPS.has(key) && !key.startsWith('skiplines')) out[key] = value;
  }
  return out;
}

/**
 * The jail's view of a match; null while it waits for its id (multi-line). The time is the filter's to
 * settle: a line without one, or one in the future (an estimated year), counts as now, as fail2ban's
 * processLineAndAdd has it. A match that kept no lines (an <F-NOFAIL> one) carries the line it came from.
 */
export function toFailure(match: FilterMatch, text: string, now: number): Failure | null {
  if (match.id === null) return null;
  const lines = ((match.data['matches'] as TupleLine[] | undefined) ?? []).map((line) => line.join(''));
  return {
    id: match.id,
    idKind: match.idKind,
    time: match.time === null || match.time > now ? now : match.time,
    ...(match.timeShift === undefined ? {} : { timeShift: match.timeShift }),
    lines: lines.length > 0 ? lines : [text],
    captures: textCaptures(match.data),
    nofail: match.nofail,
  };
}
