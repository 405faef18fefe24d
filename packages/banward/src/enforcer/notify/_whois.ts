import { formatIp, parseIp } from '../../net/ip-address.js';
import { exitText, runProcess } from '../../process/index.js';

/** A whois server that does not answer must not hold a mail (nor its queue) longer than this. */
const WHOIS_TIMEOUT_MS = 15_000;
const WHOIS_MAX_OUTPUT = 64 * 1024;
/** What of an answer a mail quotes: registries' answers run to a few hundred lines. */
const MAX_LINES = 300;
const MAX_LINE = 200;

/**
 * A whois answer fit to quote in a mail: the registry (or whoever answers on port 43) writes what it
 * likes, so terminal escapes and every control character but the tab go, lines are cut, and the whole
 * is capped. It ends up in the body only, never in a header.
 */
export function sanitiseWhois(text: string): string {
  const lines = text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+$/, '').slice(0, MAX_LINE));
  while (lines.length && lines.at(-1) === '') lines.pop();
  const kept = lines.slice(0, MAX_LINES);
  if (lines.length > MAX_LINES) kept.push(`[${lines.length - MAX_LINES} more lines left out]`);
  return kept.join('\n');
}

/**
 * Debian's `whois` for a banned address, run without a shell: the address is parsed and printed in its
 * canonical form, so it is one argument that cannot be an option. A failure is said in the text: the
 * mail still goes.
 */
export async function whoisText(command: string, ip: string): Promise<string> {
  const net = parseIp(ip);
  if (!net) return '(whois: not an address)';
  const r = await runProcess(command, [formatIp(net)], { timeoutMs: WHOIS_TIMEOUT_MS, maxOutput: WHOIS_MAX_OUTPUT });
  const text = sanitiseWhois(r.stdout);
  if (r.ok || text) return text || '(whois: no answer)';
  return `(whois failed: ${exitText(r)})`;
}
