/**
 * The fleet's messages (docs/fleet.md): one JSON object per stream entry and per active-ban hash field.
 * Anything read from Redis is checked here before it reaches the daemon: another tool (or an attacker
 * who can write to Redis) may put anything there.
 */
import { formatIp, parseIp } from '../net/ip-address.js';

export interface FleetMessage {
  v: 1;
  /** Unique per decision: a message seen twice (a retried publish) is applied once. */
  id: string;
  /** The node that decided it. */
  node: string;
  type: 'ban' | 'unban';
  jail: string;
  /** Canonical address or network (CIDR). */
  ip: string;
  /** Epoch seconds: when the ban started (ban), or when it was lifted (unban). */
  time: number;
  /** Epoch seconds the ban ends; null for a permanent ban (and for an unban). */
  end: number | null;
  /** Seconds; -1 for ever. */
  bantime: number;
  banCount: number;
}

/** Why a message was dropped: the counters `banward fleet` shows. */
export type DropReason = 'oversized' | 'malformed' | 'bad-address' | 'unknown-jail' | 'not-applied';

export const DROP_REASONS: readonly DropReason[] = ['oversized', 'malformed', 'bad-address', 'unknown-jail', 'not-applied'];

/** A message longer than this (bytes of JSON) is dropped before it is parsed. */
export const MAX_MESSAGE_BYTES = 4096;

const FIELDS = ['v', 'id', 'node', 'type', 'jail', 'ip', 'time', 'end', 'bantime', 'banCount'] as const;
const ID_RE = /^[A-Za-z0-9-]{1,64}$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Bans more than a day's clock skew in the future, or counts past this, are nonsense. */
const MAX_SKEW = 86_400;
const MAX_BAN_COUNT = 1_000_000;

export type ParsedMessage = { message: FleetMessage } | { dropped: DropReason; detail: string };

/** What the node knows of its jails when it judges a message. */
export interface JailCheck {
  known(jail: string): boolean;
  applied(jail: string): boolean;
}

export function encodeMessage(message: FleetMessage): string {
  return JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, message[f]])));
}

const drop = (dropped: DropReason, detail: string): ParsedMessage => ({ dropped, detail });

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** The address as src/net writes it, or null: a host or a network, never one that covers a whole family. */
function canonicalTarget(text: string): string | null {
  const ip = parseIp(text);
  if (!ip || ip.prefix === 0 || formatIp(ip) !== text) return null;
  return text;
}

/** Checks the fields' types and their agreement (end = time + bantime); the first problem, or null. */
function schemaProblem(m: Record<string, unknown>, now: number): string | null {
  const extra = Object.keys(m).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (extra.length) return `unknown field(s) ${extra.slice(0, 3).join(', ')}`;
  if (m['v'] !== 1) return 'v must be 1';
  if (typeof m['id'] !== 'string' || !ID_RE.test(m['id'])) return 'id must be 1-64 letters, digits or -';
  if (typeof m['node'] !== 'string' || !NAME_RE.test(m['node'])) return 'node must be a node name';
  if (m['type'] !== 'ban' && m['type'] !== 'unban') return 'type must be ban or unban';
  if (typeof m['jail'] !== 'string' || !NAME_RE.test(m['jail'])) return 'jail must be a jail name';
  if (typeof m['ip'] !== 'string') return 'ip must be a string';
  const { time, end, bantime, banCount } = m;
  if (!isTime(time) || time > now + MAX_SKEW) return 'time must be epoch seconds, not in the future';
  if (typeof bantime !== 'number' || !Number.isFinite(bantime) || (bantime < 0 && bantime !== -1)) return 'bantime must be seconds, or -1';
  if (typeof banCount !== 'number' || !Number.isInteger(banCount) || banCount < 0 || banCount > MAX_BAN_COUNT) return 'banCount must be a whole number';
  if (m['type'] === 'unban') return end === null ? null : 'end must be null in an unban';
  if (banCount < 1) return 'banCount must be 1 or more in a ban';
  if (bantime === -1) return end === null ? null : 'end must be null for a permanent ban';
  return isTime(end) && Math.abs(end - (time + bantime)) < 1 ? null : 'end must be time + bantime';
}

/** Parses and checks one message read from Redis; never throws. */
export function parseMessage(raw: unknown, jails: JailCheck, now: number): ParsedMessage {
  if (typeof raw !== 'string') return drop('malformed', 'no msg field');
  if (Buffer.byteLength(raw) > MAX_MESSAGE_BYTES) return drop('oversized', `${Buffer.byteLength(raw)} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return drop('malformed', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return drop('malformed', 'not a JSON object');
  const fields = value as Record<string, unknown>;
  const problem = schemaProblem(fields, now);
  if (problem) return drop('malformed', problem);
  const message = fields as unknown as FleetMessage;
  if (canonicalTarget(message.ip) === null) return drop('bad-address', `${JSON.stringify(message.ip.slice(0, 64))} is no canonical address or network`);
  if (!jails.known(message.jail)) return drop('unknown-jail', message.jail);
  if (!jails.applied(message.jail)) return drop('not-applied', message.jail);
  return { message };
}
