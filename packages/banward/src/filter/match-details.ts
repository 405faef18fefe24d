import type { FilterMatch } from './filter.js';

/** fail2ban-regex prints every group a match captured but these. */
const UNPRINTED_GROUPS = new Set(['matches', 'nofail-matches', 'mlfpending']);

export interface MatchDetails {
  /** The address beside an F-ID, or the id itself. */
  host: string | null;
  /** The lines the failure was found on. */
  attempts: number;
  /** Every group it captured, tuples and sets as arrays. */
  captures: Record<string, unknown>;
}

function jsonValue(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(jsonValue);
  if (Array.isArray(value)) return value.map(jsonValue);
  return value ?? null;
}

/** A match as the regex tester reports it, fail2ban-regex's way (the sample tests compare with it). */
export function matchDetails(match: FilterMatch): MatchDetails {
  const captures: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(match.data)) {
    if (!UNPRINTED_GROUPS.has(key) && !key.startsWith('skiplines') && value !== undefined && value !== null) {
      captures[key] = jsonValue(value);
    }
  }
  return {
    host: (match.data['ip'] as string | undefined) ?? match.id,
    attempts: (match.data['matches'] as unknown[] | undefined)?.length ?? 0,
    captures,
  };
}
