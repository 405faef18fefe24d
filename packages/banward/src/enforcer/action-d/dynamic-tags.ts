/**
 * The tags an action fills in per ticket (`<ip>`, `<matches>`, `<F-USER>`, …) and how each value
 * reaches the shell. Values that are structurally safe — a validated address, a number, a family
 * name — are written into the command. Every other value (log lines, captures, reverse DNS names)
 * may hold anything an attacker wrote, so the command only refers to an environment variable and
 * the value travels in the environment of `/bin/sh -c`: the shell expands it as data, never parses
 * it. fail2ban ≥ 0.10.4 escapes such values into shell variables too; here no log value is ever
 * shell text, whatever characters it holds.
 */
import { BanwardError } from '../../errors.js';
import { formatIp, parseIp } from '../../net/ip-address.js';
import type { BanTicket } from '../ban-action.js';
import type { ShellTemplate, TagContext } from './_shell-template.js';

/**
 * A ticket as an action.d action reads it. The extra fields are optional, so plain BanTickets work:
 * `restored` marks bans re-applied at start (skipped by `norestored` actions), `data` holds the
 * filter's captures (`<F-USER>` reads `data.user`), `ipMatches`/`ipJailMatches` the merged matches
 * of the address across all jails / this jail (the ticket's own matches when absent).
 */
export interface ActionDTicket extends BanTicket {
  restored?: boolean;
  data?: Readonly<Record<string, string>>;
  ipMatches?: readonly string[];
  ipJailMatches?: readonly string[];
}

/** Tags whose value is produced here and checked to be safe to write into a command. */
const INLINE_TAGS = new Set([
  'ip', 'family', 'ip-rev', 'failures', 'time', 'bantime', 'bancount', 'ipfailures', 'ipjailfailures', 'restored',
]);
/** Tags whose value may be anything: always passed in the environment. */
const ENV_TAGS = new Set(['fid', 'ip-host', 'matches', 'ipmatches', 'ipjailmatches', 'raw-ticket']);
const CAPTURE_TAG_RE = /^F-([A-Z0-9_-]+)$/;
/** Linux refuses a single environment string longer than 128 KiB; keep well below. */
export const MAX_ENV_VALUE = 64 * 1024;

export function isDynamicTag(tag: string): boolean {
  return INLINE_TAGS.has(tag) || ENV_TAGS.has(tag) || CAPTURE_TAG_RE.test(tag);
}

function mayCarryForeignText(tag: string): boolean {
  return !INLINE_TAGS.has(tag);
}

/** fail2ban's name for a capture: `<F-USER>` → `user`, `<F-ID>` → `fid`. */
function captureKey(tag: string): string {
  const key = tag.slice(2).toLowerCase();
  return key === 'id' ? 'fid' : key;
}

export function familyOf(ip: string): 'inet4' | 'inet6' {
  const parsed = parseIp(ip);
  if (!parsed || parsed.prefix !== (parsed.family === 4 ? 32 : 128)) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `refusing to run an action for ${JSON.stringify(ip)}: not an IP address`);
  }
  return parsed.family === 4 ? 'inet4' : 'inet6';
}

/** The reverse-DNS name of an address (`<ip-rev>`): `4.3.2.1.` for 1.2.3.4, nibbles for IPv6. */
export function reverseName(ip: string): string {
  const parsed = parseIp(ip);
  if (!parsed) return '';
  if (parsed.family === 4) return `${formatIp(parsed).split('.').reverse().join('.')}.`;
  const hex = parsed.value.toString(16).padStart(32, '0');
  return `${[...hex].reverse().join('.')}.`;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `not a finite number: ${n}`);
  return String(n);
}

/** The values of the dynamic tags for one ticket (or, with `ticket` null, for start/stop/flush). */
export function tagValues(
  ticket: ActionDTicket | null,
  family: string,
  now: number,
  host?: string,
): (tag: string) => string | undefined {
  const ip = ticket ? formatIp(parseIp(ticket.ip) ?? failIp(ticket.ip)) : '';
  const lines = (l: readonly string[] | undefined): string => (l ?? ticket?.matches ?? []).join('\n');
  const fixed: Record<string, () => string> = {
    ip: () => ip,
    family: () => family,
    'ip-rev': () => (ip ? reverseName(ip) : ''),
    'ip-host': () => host ?? '',
    fid: () => ticket?.data?.['fid'] ?? ip,
    failures: () => numberText(ticket?.failures ?? 0),
    ipfailures: () => numberText(ticket?.failures ?? 0),
    ipjailfailures: () => numberText(ticket?.failures ?? 0),
    time: () => numberText(ticket?.time ?? now),
    bantime: () => numberText(ticket?.bantime ?? 0),
    bancount: () => numberText(ticket?.banCount ?? 0),
    restored: () => (ticket?.restored ? '1' : '0'),
    matches: () => (ticket ? lines(ticket.matches) : ''),
    ipmatches: () => (ticket ? lines(ticket.ipMatches) : ''),
    ipjailmatches: () => (ticket ? lines(ticket.ipJailMatches) : ''),
    'raw-ticket': () => (ticket ? JSON.stringify(ticket) : ''),
  };
  return (tag) => {
    const get = fixed[tag];
    if (get) return get();
    const m = CAPTURE_TAG_RE.exec(tag);
    return m ? (ticket?.data?.[captureKey(tag)] ?? '') : undefined;
  };
}

function failIp(ip: string): never {
  familyOf(ip);
  throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `not an IP address: ${JSON.stringify(ip)}`);
}

/** `F2B_MATCHES`, `F2B_F_USER`, `F2B_IP_HOST`. */
export function envName(tag: string): string {
  return `F2B_${tag.toUpperCase().replace(/\W/g, '_')}`;
}

/** How an environment reference is written in each context; null where none is correct. */
function reference(name: string, context: TagContext): string | null {
  switch (context) {
    case 'plain': return `"\${${name}}"`;
    case 'double':
    case 'heredoc': return `\${${name}}`;
    case 'single': return `'"\${${name}}"'`;
    case 'comment': return '';
    default: return null;
  }
}

/** Why a template cannot carry foreign values safely, one message per offending tag; empty when fine. */
export function unsafePlacements(template: ShellTemplate): string[] {
  return template.slots
    .filter((s) => mayCarryForeignText(s.tag) && reference('X', s.context) === null)
    .map((s) => `<${s.tag}> stands where no value can be passed safely (${s.context.replace('-', ' ')})`);
}

export interface RenderedCommand {
  script: string;
  /** The variables the script refers to; merged into the child's environment. */
  env: Record<string, string>;
}

const INLINE_OK = /^[0-9A-Za-z.:-]*$/;

function isCanonicalIp(v: string): boolean {
  const ip = parseIp(v);
  return ip !== null && formatIp(ip) === v && INLINE_OK.test(v);
}

/** Fills a template: safe values inline, everything else by environment reference. */
export function renderTemplate(template: ShellTemplate, value: (tag: string) => string | undefined): RenderedCommand {
  const env: Record<string, string> = {};
  const names = new Map<string, string>();
  let script = template.parts[0] ?? '';
  template.slots.forEach((s, k) => {
    const v = value(s.tag) ?? '';
    let text: string;
    if (!mayCarryForeignText(s.tag)) {
      if (!INLINE_OK.test(v)) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `<${s.tag}> has an unexpected value ${JSON.stringify(v)}`);
      text = v;
    } else if (v === '' || (s.tag === 'fid' && isCanonicalIp(v))) {
      // As fail2ban: an empty value is no text at all; an id that is an address is an address.
      text = v;
    } else {
      let name = names.get(s.tag);
      if (!name) {
        name = envName(s.tag);
        while ([...names.values()].includes(name)) name += '_';
        names.set(s.tag, name);
        env[name] = v.replaceAll('\0', '').slice(0, MAX_ENV_VALUE);
      }
      const ref = reference(name, s.context);
      if (ref === null) {
        throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `<${s.tag}> stands where no value can be passed safely (${s.context})`);
      }
      text = ref;
    }
    script += text + (template.parts[k + 1] ?? '');
  });
  return { script, env };
}
