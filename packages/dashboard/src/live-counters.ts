/** How a live event changes what the overview already shows, so it stays current between fetches. */
import type { Ban, Jail, LiveEvent } from './api.js';

export function countEvent(jails: Jail[], event: LiveEvent): Jail[] {
  if (event.type !== 'found' && event.type !== 'ban' && event.type !== 'unban') return jails;
  return jails.map((jail) => {
    if (jail.name !== event.jail) return jail;
    // currentlyFailed counts addresses, not failures: only the next fetch of the jails knows it.
    if (event.type === 'found') {
      return { ...jail, totalFailed: jail.totalFailed + 1,
        lastHour: { ...jail.lastHour, failures: jail.lastHour.failures + 1 }, lastDay: { ...jail.lastDay, failures: jail.lastDay.failures + 1 } };
    }
    if (event.type === 'ban') {
      return { ...jail, currentlyBanned: jail.currentlyBanned + 1, totalBanned: jail.totalBanned + 1,
        lastHour: { ...jail.lastHour, bans: jail.lastHour.bans + 1 }, lastDay: { ...jail.lastDay, bans: jail.lastDay.bans + 1 } };
    }
    return { ...jail, currentlyBanned: Math.max(0, jail.currentlyBanned - 1) };
  });
}

/** The newest-first list of current bans after the event (`limit` entries at most). */
export function listEvent(bans: Ban[], event: LiveEvent, limit: number): Ban[] {
  if (event.type === 'ban') {
    const ban: Ban = { jail: event.jail, ip: event.ip, time: event.time, bantime: event.bantime,
      expires: event.bantime < 0 ? null : event.time + event.bantime, banCount: event.banCount,
      ...(event.origin === undefined ? {} : { origin: event.origin }) };
    return [ban, ...bans.filter((b) => !(b.jail === ban.jail && b.ip === ban.ip))].slice(0, limit);
  }
  if (event.type === 'unban') return bans.filter((b) => !(b.jail === event.jail && b.ip === event.ip));
  return bans;
}
