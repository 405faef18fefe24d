import { formatIp, parseIp } from '../net/ip-address.js';
import type { FailGroups } from './failregex.js';
import type { IdKind } from './failure.js';

const CANONICAL_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An address as fail2ban's IPAddr prints it: canonical when it parses, the raw text otherwise. */
function addressText(text: string, prefix?: number): string {
  if (prefix === undefined && CANONICAL_V4.test(text)) return text;
  const ip = parseIp(text, prefix);
  return ip === null ? text : formatIp(ip);
}

export interface Identity {
  id: string;
  kind: IdKind;
}

function identity(id: string): Identity {
  return { id, kind: parseIp(id) === null ? 'other' : 'ip' };
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
