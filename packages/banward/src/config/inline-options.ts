/**
 * The inline option syntax of jail settings: `filter = sshd[mode=aggressive]`,
 * `action = iptables[name=SSH, port="ssh, 2222"][protocol=tcp]`, and splitting a multi-line
 * `action` value into its entries when an entry's options themselves span lines.
 */
import { BanwardError, type ErrorLocation } from '../errors.js';

export interface InlineOptions {
  name: string;
  options: Record<string, string>;
}

const NAME_AND_OPTIONS_RE = /^([^[]+)(?:\[(.*)\])?\s*$/s;
const OPTION_RE =
  /\s*([\w\-.]+)=(?:"([^"]*)"|'([^']*)'|([^,\]]*))(?:,|\]\s*\[|$|(?<wrongAfter>.+))|,?\s*$|(?<wrong>.+)/gs;
const ENTRY_RE =
  /(?:[^[\s]+(?:\s*\[\s*(?:[\w\-.]+=(?:"[^"]*"|'[^']*'|[^,\]]*)\s*(?:,|\]\s*\[)?\s*)*\])?\s*|\S+)(?=\n\s*|\s+|$)/gs;

/**
 * `name[k=v, k2="quoted, text"][k3='x']` → name and options. Values are trimmed; an unquoted value
 * ends at `,` or `]`.
 */
export function parseInlineOptions(spec: string, where: ErrorLocation = {}): InlineOptions {
  const m = NAME_AND_OPTIONS_RE.exec(spec);
  if (!m) {
    throw new BanwardError('BANWARD_ERR_CONFIG_SYNTAX', `cannot read ${JSON.stringify(spec)} as name[option=value, …]`, where);
  }
  const options: Record<string, string> = {};
  const body = m[2] ?? '';
  for (const o of body ? body.matchAll(OPTION_RE) : []) {
    const bad = o.groups?.wrongAfter ?? o.groups?.wrong;
    if (bad !== undefined) {
      const after = o[1] ? ` after option "${o[1]}"` : '';
      throw new BanwardError(
        'BANWARD_ERR_CONFIG_SYNTAX',
        `unexpected text${after} in the options of ${JSON.stringify(spec)}: ${JSON.stringify(bad.slice(0, 25))}`,
        where,
      );
    }
    if (!o[1]) continue;
    options[o[1].trim()] = (o[2] ?? o[3] ?? o[4] ?? '').trim();
  }
  return { name: m[1]!, options };
}

/**
 * Splits a value listing several `name[options]` entries (separated by whitespace or new lines)
 * into the entries, keeping each entry's bracketed options whole even when they contain spaces.
 */
export function splitInlineEntries(value: string): string[] {
  return [...value.matchAll(ENTRY_RE)].map((m) => m[0]);
}
