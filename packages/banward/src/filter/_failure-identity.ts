import { formatIp, parseIp } from '../net/ip-address.js';
import type { FailGroups } from './failregex.js';
import type { IdKind } from './failure.js';

/**
 * `text` is a dotted quad as fail2ban prints it (no leading zeros, each part at most 255): then it is
 * its own canonical form. Runs for nearly every failure, hence a scan rather than a parse.
 */
function isCanonicalV4(text: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      digits = value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false;
      value = value * 10 + c - 48;
      if (++digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

/** An address as fail2ban's IPAddr prints it: canonical when it parses, the raw text otherwise. */
function addressText(text: string, prefix?: number): string {
  if (prefix === undefined && isCanonicalV4(text)) return text;
  const ip = parseIp(text, prefix);
  return ip === null ? text : formatIp(ip);
}

export interface Identity {
  id: string;
  kind: IdKind;
}

function identity(id: string): Identity {
  return { id, kind: isCanonicalV4(id) || parseIp(id) !== null ? 'ip' : 'other' };
}

/**
 * Decides what a failure is counted against: the address (ip4/ip6, with <CIDR>), a DNS name, or a
 * custom <F-ID>. Returns null when the failure waits for its id on a later line (multi-line), and
 * undefined when the regex captured no id at all (the match is then dropped, as fail2ban does).
 * When F-ID and the address differ, the address is kept in `fail.ip` and the id is the F-ID text.
 */
export function failureIdentity(fail: FailGroups, rawHost: boolean, multiline: boolean): Identity | null | undefined {
  const fid = fail['fid'] as string | undefined;
  const cidr = fail['cidr'] ? Number(fail['cidr']) : undefined;
  let address: string | undefined;
  let host = fail['ip4'] as string | undefined;
  if (host === undefined) host = fail['ip6'] as string | undefined;
  if (host !== undefined) address = addressText(host, cidr);
  else {
    host = fail['dns'] as string | undefined;
    if (host === undefined) {
      if (fid === undefined && !multiline) return undefined;
      host = fid;
    } else if (!rawHost) {
      // usedns: the jail resolves names itself; the filter reports the name as it was logged.
      return parseIp(host) === null ? { id: host, kind: 'host' } : identity(addressText(host));
    }
    if (host === undefined) return null;
    address = rawHost ? host : addressText(host);
  }
  if (fid === undefined || fid === host) return identity(address);
  fail['ip'] = address;
  return identity(rawHost ? fid : addressText(fid));
}
