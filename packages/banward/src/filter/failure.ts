/** What the filter hands the jail: the seam between the two stages. */

/** What a failure id is: an address (or network), a host name still to resolve, or other text (F-ID). */
export type IdKind = 'ip' | 'host' | 'other';

/**
 * One failure found in the log, with the filter's policies applied: the id in canonical form, the
 * time normalised. Plain data, so it crosses from the filter's worker thread by structured clone.
 */
export interface Failure {
  /** An address in canonical form (`idKind` ip), a host name as logged (host), or the F-ID text (other). */
  readonly id: string;
  readonly idKind: IdKind;
  /** Epoch seconds (the clock's unit). For a log line the filter settles it: never absent, never after now. */
  readonly time: number;
  /**
   * Seconds the line's own time was off the clock (negative: behind) when the filter counted a live line
   * as now instead (fail2ban's time-zone/latency rule); absent when its time was used as it is.
   */
  readonly timeShift?: number;
  /** The log lines of the failure, oldest first: several for a multi-line match. */
  readonly lines: readonly string[];
  /** The failregex's named captures that are text (user, port, …): the `<F-…>` tags of the actions. */
  readonly captures: Readonly<Record<string, string>>;
  /** fail2ban's `<F-NOFAIL>`: the match is not a failure and is not counted. */
  readonly nofail: boolean;
}

/** The warning for a log whose live lines are `shift` seconds off the clock (negative: behind), counted as now. */
export function timeShiftWarning(origin: string, shift: number): string {
  const minutes = Math.round(Math.abs(shift) / 60);
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `${origin}: line times are ${span} ${shift < 0 ? 'behind' : 'ahead of'} the clock; counting them as now (check the log's time zone / logtimezone)`;
}
