/** How times and durations read on screen (all API times are epoch seconds). */

export function formatTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function formatClock(epochSeconds: number): string {
  return formatTime(epochSeconds).slice(11);
}

export function formatDuration(seconds: number): string {
  if (seconds < 0) return 'permanent';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

export function formatExpiry(expires: number | null): string {
  return expires === null ? 'never' : formatTime(expires);
}
