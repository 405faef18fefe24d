import { parseIp } from '../../net/ip-address.js';
import type { Hook, ResolvedSpec } from './_options.js';
import { elementKey, timeoutSeconds, type Applied, type ElementDiff } from './_elements.js';

/** The one table every jail shares; each jail has its own base chain and two sets in it. */
export const TABLE = 'inet banward';

/** nft 1.0.6 rejects timeouts past about 100 days ("value too large"); longer bans get none. */
export const NFT_MAX_TIMEOUT = 8_640_000;

/** Elements per `add element` line: one transaction either way, but readable errors and lines. */
const CHUNK = 1000;

export interface NftNames {
  chains: Record<Hook, string>;
  set4: string;
  set6: string;
}

/**
 * nft identifiers cannot be quoted (1.0.6), so a jail name becomes one: letters, digits, `_` and `-`
 * stay, anything else becomes `.` and its UTF-8 bytes in hex, and a name that does not start with a
 * letter gets a leading `_`. That is one-to-one, and the `-v4`/`-in` suffixes keep every name clear of
 * nft's keywords (`drop-in` is an identifier, `drop` would not be).
 */
export function nftNames(jail: string): NftNames {
  let id = '';
  for (const ch of jail) {
    id += /[A-Za-z0-9_-]/.test(ch) ? ch : [...Buffer.from(ch)].map((b) => `.${b.toString(16).padStart(2, '0')}`).join('');
  }
  if (!/^[A-Za-z]/.test(id)) id = `_${id}`;
  if (id.length > 200) throw new Error(`jail name ${JSON.stringify(jail.slice(0, 40))}… is too long for an nftables set name`);
  return { chains: { input: `${id}-in`, forward: `${id}-fwd` }, set4: `${id}-v4`, set6: `${id}-v6` };
}

/** The matches of the jail's rules (one per protocol), before the address match. */
export function ruleMatches(spec: ResolvedSpec): string[] {
  if (spec.protocols === null) return [''];
  if (spec.ports === null) return [`meta l4proto { ${spec.protocols.join(', ')} } `];
  const ports = spec.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(', ');
  return spec.protocols.map((proto) => `${proto} dport { ${ports} } `);
}

export function ruleLines(names: NftNames, spec: ResolvedSpec, hooks: readonly Hook[]): string[] {
  const lines: string[] = [];
  for (const hook of hooks) {
    for (const match of ruleMatches(spec)) {
      lines.push(`add rule ${TABLE} ${names.chains[hook]} ${match}ip saddr @${names.set4} counter ${spec.blocktype}`);
      lines.push(`add rule ${TABLE} ${names.chains[hook]} ${match}ip6 saddr @${names.set6} counter ${spec.blocktype}`);
    }
  }
  return lines;
}

const HOOKS: readonly Hook[] = ['input', 'forward'];

/**
 * Both chains are declared (then the unused one deleted) so that a reload moving a jail from input to
 * forward leaves nothing behind. Each sits at priority filter - 1: before the usual filter chains at
 * priority 0 — the host's own, ufw's and firewalld's, and Docker's FORWARD/DOCKER-USER (iptables-nft
 * tables at priority filter) — so a banned address is dropped before any of them accepts it and counted
 * here. A drop in any base chain is final, so the order matters for who sees the packet first, never for
 * whether a ban holds. Docker's DNAT (prerouting, priority dstnat) runs before the forward hook: there the
 * destination port is the container's, not the published one.
 */
function declarations(names: NftNames): string[] {
  return [
    `add table ${TABLE}`,
    `add set ${TABLE} ${names.set4} { type ipv4_addr; flags interval, timeout; }`,
    `add set ${TABLE} ${names.set6} { type ipv6_addr; flags interval, timeout; }`,
    ...HOOKS.map((hook) => `add chain ${TABLE} ${names.chains[hook]} { type filter hook ${hook} priority filter - 1; policy accept; }`),
  ];
}

function deleteChains(names: NftNames, hooks: readonly Hook[]): string[] {
  return hooks.flatMap((hook) => [`flush chain ${TABLE} ${names.chains[hook]}`, `delete chain ${TABLE} ${names.chains[hook]}`]);
}

/** Creates what is missing and rewrites the jail's rules in the chains of its hooks; the sets' elements are kept. Idempotent. */
export function setupText(names: NftNames, spec: ResolvedSpec, hooks: readonly Hook[]): string {
  return [
    ...declarations(names),
    ...deleteChains(names, HOOKS.filter((hook) => !hooks.includes(hook))),
    ...hooks.map((hook) => `flush chain ${TABLE} ${names.chains[hook]}`),
    ...ruleLines(names, spec, hooks),
  ].join('\n') + '\n';
}

/** Removes the jail's chains and sets, whether or not they exist (nft 1.0.6 has no `destroy`). */
export function teardownText(names: NftNames): string {
  return [
    ...declarations(names),
    ...deleteChains(names, HOOKS),
    `delete set ${TABLE} ${names.set4}`,
    `delete set ${TABLE} ${names.set6}`,
  ].join('\n') + '\n';
}

export function flushText(names: NftNames): string {
  return `flush set ${TABLE} ${names.set4}\nflush set ${TABLE} ${names.set6}\n`;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * One transaction for a diff: removals first (a network replacing the addresses it covers must not
 * overlap them). Keys were built by elementKey from parsed addresses, or read back from nft's own listing
 * and checked by parseIp, so nothing else can reach the text.
 */
export function elementsText(names: NftNames, diff: ElementDiff, now: number): string {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const set = family === 4 ? names.set4 : names.set6;
    for (const part of chunks(diff.remove.filter((r) => r.family === family))) {
      lines.push(`delete element ${TABLE} ${set} { ${part.map((r) => r.key).join(', ')} }`);
    }
  }
  for (const family of [4, 6] as const) {
    const set = family === 4 ? names.set4 : names.set6;
    for (const part of chunks(diff.add.filter((a) => a.family === family))) {
      const items = part.map((a) => (a.expires === null ? a.key : `${a.key} timeout ${timeoutSeconds(a.expires, now)}s`));
      lines.push(`add element ${TABLE} ${set} { ${items.join(', ')} }`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** What `nft -j list table inet banward` shows of one jail. */
export interface NftState {
  /** The jail's chains present. */
  chains: Hook[];
  rules: number;
  set4: boolean;
  set6: boolean;
  elements: Applied;
  /** Chains and sets of other jails still in the table. */
  others: number;
}

type Json = Record<string, unknown>;

/** An element of nft's JSON: `"a"`, `{prefix: {addr, len}}`, `{range: [a, b]}`, or `{elem: {val, expires}}`. */
function elementFromJson(value: unknown, now: number): { key: string; expires: number | null } | null {
  if (typeof value === 'string') {
    const net = parseIp(value);
    return net ? { key: elementKey(net), expires: null } : null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Json;
  if (v['elem']) {
    const inner = v['elem'] as Json;
    const base = elementFromJson(inner['val'], now);
    const expires = typeof inner['expires'] === 'number' ? now + inner['expires'] : typeof inner['timeout'] === 'number' ? now + inner['timeout'] : null;
    return base ? { key: base.key, expires } : null;
  }
  if (v['prefix']) {
    const p = v['prefix'] as Json;
    const net = typeof p['addr'] === 'string' && typeof p['len'] === 'number' ? parseIp(p['addr'], p['len']) : null;
    return net ? { key: elementKey(net), expires: null } : null;
  }
  if (Array.isArray(v['range'])) {
    // Not one of ours (we add addresses and prefixes); kept so reconcile removes it.
    const [a, b] = v['range'].map((x) => (typeof x === 'string' ? parseIp(x) : null));
    return a && b ? { key: `${elementKey(a)}-${elementKey(b)}`, expires: null } : null;
  }
  return null;
}

export function parseNftState(json: string, names: NftNames, now: number): NftState {
  const state: NftState = { chains: [], rules: 0, set4: false, set6: false, elements: new Map(), others: 0 };
  const items = ((JSON.parse(json) as Json)['nftables'] ?? []) as Json[];
  for (const item of items) {
    const chain = item['chain'] as Json | undefined;
    const set = item['set'] as Json | undefined;
    const rule = item['rule'] as Json | undefined;
    const hookOf = (name: unknown) => HOOKS.find((hook) => names.chains[hook] === name);
    if (chain) { const hook = hookOf(chain['name']); if (hook) state.chains.push(hook); else state.others++; }
    if (rule && hookOf(rule['chain'])) state.rules++;
    if (!set) continue;
    const family = set['name'] === names.set4 ? 4 : set['name'] === names.set6 ? 6 : null;
    if (family === null) { state.others++; continue; }
    if (family === 4) state.set4 = true; else state.set6 = true;
    for (const e of (set['elem'] ?? []) as unknown[]) {
      const parsed = elementFromJson(e, now);
      if (parsed) state.elements.set(parsed.key, { family, expires: parsed.expires });
    }
  }
  return state;
}

/** A deletion `nft -j monitor destroy` reported in a jail's part of the table. */
export type NftDeletion = { kind: 'structure' } | { kind: 'elements'; keys: string[] };

/**
 * One line of `nft -j monitor destroy`, read for one jail: the table, or one of the jail's chains, rules
 * or sets, deleted (`structure`), or elements deleted from its sets; null for anything else.
 */
export function parseNftDeletion(line: string, names: NftNames): NftDeletion | null {
  let deleted: Json;
  try {
    deleted = (JSON.parse(line) as Json)['delete'] as Json;
  } catch {
    return null;
  }
  if (!deleted || typeof deleted !== 'object') return null;
  const [kind, body] = Object.entries(deleted)[0] ?? [];
  if (!body || typeof body !== 'object') return null;
  const item = body as Json;
  if (`${String(item['family'])} ${String(kind === 'table' ? item['name'] : item['table'])}` !== TABLE) return null;
  const chainOf = (name: unknown) => HOOKS.some((hook) => names.chains[hook] === name);
  switch (kind) {
    case 'table': return { kind: 'structure' };
    case 'chain': return chainOf(item['name']) ? { kind: 'structure' } : null;
    case 'rule': return chainOf(item['chain']) ? { kind: 'structure' } : null;
    case 'set': return item['name'] === names.set4 || item['name'] === names.set6 ? { kind: 'structure' } : null;
    case 'element': {
      if (item['name'] !== names.set4 && item['name'] !== names.set6) return null;
      const elements = ((item['elem'] as Json | undefined)?.['set'] ?? []) as unknown[];
      return { kind: 'elements', keys: elements.flatMap((e) => elementFromJson(e, 0)?.key ?? []) };
    }
    default: return null;
  }
}
