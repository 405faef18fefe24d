import type { TupleLine } from '../filter/failregex.js';

export type Captures = Readonly<Record<string, string>>;
/** A failure's data as the filter gives it; only a ban turns it into the actions' captures. */
export type FailureData = Readonly<Record<string, unknown>>;

const INTERNAL_GROUPS = new Set(['matches', 'nofail-matches', 'mlfpending', 'mlfid', 'content']);

/** The failure's named captures that are text (user, port, …), for the actions' tags. */
export function stringCaptures(data: Readonly<Record<string, unknown>>): Captures {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' && !INTERNAL_GROUPS.has(key) && !key.startsWith('skiplines')) out[key] = value;
  }
  return out;
}

export function lineText(match: TupleLine): string {
  return match.join('');
}
