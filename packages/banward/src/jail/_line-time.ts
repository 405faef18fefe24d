/** How the jail writes line times in its log. */

/** `2026-11-22 10:00:01` in the machine's zone, as fail2ban's log shows failure times. */
export function localTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The warning for a log whose live lines are `shift` seconds off the clock (negative: behind), counted as now. */
export function timeShiftWarning(origin: string, shift: number): string {
  const minutes = Math.round(Math.abs(shift) / 60);
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `${origin}: line times are ${span} ${shift < 0 ? 'behind' : 'ahead of'} the clock; counting them as now (check the log's time zone / logtimezone)`;
}
