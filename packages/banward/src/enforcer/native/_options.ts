/**
 * The options fail2ban's firewall actions take (port, protocol, type, blocktype, ipv6prefix), validated
 * without I/O; service names are resolved afterwards from /etc/services.
 */
import type { Checked } from '../../result.js';

export type PortEntry = { from: number; to: number } | { service: string };

export interface FirewallSpec {
  /** Null: every port (type = allports). */
  ports: PortEntry[] | null;
  /** Null: every protocol (protocol = all). */
  protocols: string[] | null;
  blocktype: 'drop' | 'reject';
  /** Ban the whole IPv6 network of this length around an address (e.g. 64). */
  ipv6prefix: number | null;
}

export interface ResolvedSpec extends Omit<FirewallSpec, 'ports'> {
  ports: Array<{ from: number; to: number }> | null;
}

/** The netfilter hooks a jail's rules sit in: `input` for the host's own services, `forward` for
 * what it routes (Docker's published ports, a router in front of servers). */
export type Hook = 'input' | 'forward';

/** `chain = input|forward|both` (any case; default input); null for any other word. */
export function parseHooks(text: string | undefined): Hook[] | null {
  const word = (text ?? 'input').trim().toLowerCase();
  return word === 'both' ? ['input', 'forward'] : word === 'input' || word === 'forward' ? [word] : null;
}

/** Protocols with ports; a match on ports needs one of them. */
export const PORT_PROTOCOLS = ['tcp', 'udp', 'udplite', 'sctp', 'dccp'] as const;
const OTHER_PROTOCOLS = ['icmp', 'icmpv6', 'gre', 'esp', 'ah'];

function port(text: string): number | null {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535 ? Number(text) : null;
}

export function parsePorts(text: string): Checked<PortEntry[]> {
  const entries: PortEntry[] = [];
  for (const item of text.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)[:-](\d+)$/.exec(item);
    if (range) {
      const from = port(range[1]!);
      const to = port(range[2]!);
      if (from === null || to === null || from > to) return { ok: false, reason: `port range ${JSON.stringify(item)} is not valid` };
      entries.push({ from, to });
    } else if (port(item) !== null) {
      entries.push({ from: port(item)!, to: port(item)! });
    } else if (/^[a-z][a-z0-9_+.-]{0,31}$/i.test(item)) {
      entries.push({ service: item.toLowerCase() });
    } else {
      return { ok: false, reason: `port ${JSON.stringify(item)} is neither a number, a range nor a service name` };
    }
  }
  if (entries.length === 0) return { ok: false, reason: 'port is empty' };
  return { ok: true, value: entries };
}

export function parseFirewallOptions(options: Readonly<Record<string, string>>): Checked<FirewallSpec> {
  const type = (options['type'] ?? 'multiport').trim().toLowerCase();
  if (type !== 'multiport' && type !== 'allports') return { ok: false, reason: `type must be multiport or allports, not ${JSON.stringify(type)}` };
  const protoText = (options['protocol'] ?? 'tcp').trim().toLowerCase();
  let protocols: string[] | null = null;
  if (protoText !== 'all') {
    protocols = [...new Set(protoText.split(/[\s,]+/).filter(Boolean))];
    const known = [...PORT_PROTOCOLS, ...OTHER_PROTOCOLS] as string[];
    const bad = protocols.find((p) => !known.includes(p));
    if (bad !== undefined || protocols.length === 0) return { ok: false, reason: `protocol ${JSON.stringify(bad ?? protoText)} is not one of ${known.join(', ')}, all` };
  }
  let ports: PortEntry[] | null = null;
  if (type === 'multiport' && protocols !== null) {
    const parsed = parsePorts(options['port'] ?? '0:65535');
    if (!parsed.ok) return parsed;
    ports = parsed.value;
    const portless = protocols.find((p) => !(PORT_PROTOCOLS as readonly string[]).includes(p));
    if (portless) return { ok: false, reason: `protocol ${portless} has no ports: use type = allports` };
  }
  const blocktype = (options['blocktype'] ?? 'drop').trim().toLowerCase();
  if (blocktype !== 'drop' && blocktype !== 'reject') return { ok: false, reason: `blocktype must be drop or reject, not ${JSON.stringify(blocktype)}` };
  const ipv6prefix = parseIpv6Prefix(options['ipv6prefix']);
  if (!ipv6prefix.ok) return ipv6prefix;
  return { ok: true, value: { ports, protocols, blocktype, ipv6prefix: ipv6prefix.value } };
}

/** `ipv6prefix = 64`: ban the whole IPv6 network of that length around an address; null for none (or 128). */
export function parseIpv6Prefix(text: string | undefined): Checked<number | null> {
  const prefixText = (text ?? '').trim();
  if (prefixText === '') return { ok: true, value: null };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) < 8 || Number(prefixText) > 128) {
    return { ok: false, reason: `ipv6prefix must be a prefix length from 8 to 128, not ${JSON.stringify(prefixText)}` };
  }
  return { ok: true, value: Number(prefixText) === 128 ? null : Number(prefixText) };
}

/** Service names to port numbers, from the text of /etc/services (injected in tests). */
export function resolveSpec(spec: FirewallSpec, servicesText: string): Checked<ResolvedSpec> {
  if (spec.ports === null) return { ok: true, value: { ...spec, ports: null } };
  const services = new Map<string, number>();
  for (const line of servicesText.split('\n')) {
    const [name, portProto, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    const m = /^(\d+)\//.exec(portProto ?? '');
    if (!name || !m) continue;
    for (const n of [name, ...aliases]) if (!services.has(n.toLowerCase())) services.set(n.toLowerCase(), Number(m[1]));
  }
  const ports: Array<{ from: number; to: number }> = [];
  for (const entry of spec.ports) {
    if (!('service' in entry)) { ports.push(entry); continue; }
    const number = services.get(entry.service);
    if (number === undefined) return { ok: false, reason: `port ${JSON.stringify(entry.service)} is not a service named in /etc/services` };
    ports.push({ from: number, to: number });
  }
  return { ok: true, value: { ...spec, ports } };
}
