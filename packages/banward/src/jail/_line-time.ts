/** How the jail writes line times in its log. */

/** `2026-11-22 10:00:01` in the machine's zone, as fail2ban's log shows failure times. */
export function localTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
