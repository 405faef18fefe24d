/**
 * The log line the bundled `banward-web` filter reads (packages/banward/config/filter.d/banward-web.conf):
 *
 *   2026-11-22T10:00:01.123Z banward-web: login failed ip=203.0.113.5 user="bob" route="/login"
 *
 * `ip=` comes first and the quoted values escape `"` and `\` with `\`, and every control character, so
 * nothing a client types can forge an address or a second line.
 */
export function formatFailureLine(time: number, ip: string, username: string | undefined, route: string): string {
  return `${new Date(time).toISOString()} banward-web: login failed ip=${ip} user="${quote(username ?? '')}" route="${quote(route)}"`;
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quote(value: string): string {
  return value.replace(/[\\"\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\\' || c === '"') return `\\${c}`;
    return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
