import type { JailStatus } from '../control/index.js';
import { escapeControl, fit, safeText } from './_terminal-text.js';

/**
 * What `banward top` shows, as pure functions: the state is the jails' counters (from `status`) and the
 * newest events (from `watch`); rendering turns it into the screen's lines. Every text that came from a
 * log or an app goes through escapeControl before it is laid out.
 */

export interface JailCounters {
  jail: string;
  currentlyFailed: number;
  currentlyBanned: number;
  totalBanned: number;
  /** Why the jail's bans block nobody; absent when they are enforced. */
  notEnforced?: string;
}

/** One line of the feed: an event, or a second's `found` events of one jail counted together. */
export interface FeedEntry {
  time: number;
  type: string;
  jail: string;
  /** The entry's details, escaped. */
  text: string;
  /** How many `found` events of the jail in this second (1 for every other type). */
  count: number;
  lastIp: string;
  /** Shown highlighted: action errors and refused reloads. */
  alert: boolean;
}

export interface TopState {
  jails: JailCounters[];
  /** Newest first, at most MAX_FEED. */
  feed: FeedEntry[];
  /** The last poll's failure, shown until a poll succeeds. */
  problem?: string;
}

const MAX_FEED = 500;

export function countersOf(status: JailStatus): JailCounters {
  return {
    jail: status.jail,
    currentlyFailed: status.filter.currentlyFailed,
    currentlyBanned: status.actions.currentlyBanned,
    totalBanned: status.actions.totalBanned,
    ...(status.actions.notEnforced === undefined ? {} : { notEnforced: status.actions.notEnforced }),
  };
}

const field = (event: Record<string, unknown>, name: string): string => (event[name] === undefined ? '' : safeText(event[name]));

/** An event as one feed entry; undefined for what is not an event object (a client skips what it does not know). */
export function feedEntry(event: unknown): FeedEntry | undefined {
  if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') return undefined;
  const e = event as Record<string, unknown>;
  const type = safeText(e['type']);
  const ip = field(e, 'ip');
  const base = { time: typeof e['time'] === 'number' ? e['time'] : 0, type, jail: field(e, 'jail'), count: 1, lastIp: ip, alert: false };
  switch (type) {
    case 'found': {
      const lines = Array.isArray(e['lines']) ? e['lines'] : [];
      return { ...base, text: `${ip}${lines.length ? `  ${safeText(lines.at(-1))}` : ''}` };
    }
    case 'ban': {
      const bantime = e['bantime'] === -1 ? 'permanently' : `for ${field(e, 'bantime')} s`;
      return { ...base, text: `${ip} ${bantime} (${field(e, 'failures')} failures, ban #${field(e, 'banCount')})` };
    }
    case 'unban': return { ...base, text: `${ip} (${field(e, 'reason')})` };
    case 'action-error':
      return { ...base, alert: true, text: `${field(e, 'action')} failed to ${field(e, 'operation')}: ${field(e, 'message')}` };
    case 'reload': return { ...base, text: `rebuilt: ${Array.isArray(e['jails']) ? e['jails'].map(safeText).join(', ') || 'none' : ''}` };
    case 'reload-refused': return { ...base, alert: true, text: `refused: ${field(e, 'message')}` };
    default: return { ...base, text: safeText(event) };
  }
}

/** Adds an event to the feed; a `found` in the same second and jail as the newest entry counts into it. */
export function addEvent(state: TopState, event: unknown): void {
  const entry = feedEntry(event);
  if (!entry) return;
  const newest = state.feed[0];
  if (entry.type === 'found' && newest?.type === 'found' && newest.jail === entry.jail && Math.floor(newest.time) === Math.floor(entry.time)) {
    newest.count += 1;
    newest.lastIp = entry.lastIp;
    newest.text = `${newest.count} failures, the last from ${entry.lastIp}`;
    return;
  }
  state.feed.unshift(entry);
  if (state.feed.length > MAX_FEED) state.feed.length = MAX_FEED;
}

function clock(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** An event as one plain line, for a pipe or a log: ISO time, type, jail, details. */
export function eventLine(event: unknown): string | undefined {
  const entry = feedEntry(event);
  if (!entry) return undefined;
  const time = Number.isFinite(entry.time) ? new Date(entry.time * 1000).toISOString() : '-';
  return `${time} ${entry.type} ${entry.jail || '-'} ${entry.text}\n`;
}

/** The counters as table rows (also `banward top --once`). */
export function countersTable(jails: readonly JailCounters[]): string[] {
  const width = Math.max(4, ...jails.map((j) => escapeControl(j.jail).length));
  const row = (jail: string, failed: string, banned: string, total: string, enforced: string) =>
    `${jail.padEnd(width)}  ${failed.padStart(6)}  ${banned.padStart(6)}  ${total.padStart(12)}  ${enforced}`;
  return [
    row('JAIL', 'FAILED', 'BANNED', 'TOTAL BANNED', 'ENFORCED'),
    ...jails.map((j) => row(escapeControl(j.jail), String(j.currentlyFailed), String(j.currentlyBanned), String(j.totalBanned),
      j.notEnforced === undefined ? 'yes' : `NO: ${escapeControl(j.notEnforced)}`)),
  ];
}

const RED = '\x1b[1;31m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/**
 * The screen: a title, the counters, then as many of the newest events as fit. Lines are cut to the
 * width before they are styled, so the only escape sequences in them are the styles added here.
 */
export function renderScreen(state: TopState, size: { columns: number; rows: number }, now: number): string[] {
  const width = Math.max(size.columns, 10);
  const style = (text: string, on: string | undefined) => (on === undefined ? fit(text, width) : `${on}${fit(text, width)}${RESET}`);
  const lines = [style(`banward top  ${clock(now)}  (q to quit)`, BOLD)];
  const [header = '', ...rows] = countersTable(state.jails);
  lines.push(style(header, BOLD));
  state.jails.forEach((jail, i) => lines.push(style(rows[i] ?? '', jail.notEnforced === undefined ? undefined : RED)));
  if (state.problem !== undefined) lines.push(style(state.problem, RED));
  lines.push('', style('EVENTS (newest first)', BOLD));
  const room = Math.max(size.rows - lines.length, 0);
  for (const entry of state.feed.slice(0, room)) {
    lines.push(style(`${clock(entry.time)}  ${entry.type.padEnd(12)}  ${entry.jail}  ${entry.text}`, entry.alert ? RED : undefined));
  }
  return lines.slice(0, Math.max(size.rows, 1));
}

/** The screen as one write: home, each line over the old one, the rest cleared. */
export function screenFrame(lines: readonly string[]): string {
  return `\x1b[H${lines.map((line) => `${line}\x1b[K`).join('\r\n')}\x1b[J`;
}
