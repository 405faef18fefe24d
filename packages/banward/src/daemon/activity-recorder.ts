import type { DaemonEvent } from '../control/index.js';
import type { ActivityCounts, ActivityMinute } from '../decision/index.js';
import { formatIp, parseIp } from '../net/ip-address.js';

/** Distinct addresses counted between two flushes; beyond it a botnet's spray still counts per jail, not per address. */
const MAX_BUFFERED_OFFENDERS = 10_000;

/** The address's IPv4 /24 or IPv6 /64 (the address itself when it is none, e.g. a raw failure id). */
export function networkOf(ip: string): string {
  const parsed = parseIp(ip);
  if (!parsed) return ip;
  const prefix = Math.min(parsed.prefix, parsed.family === 4 ? 24 : 64);
  const bits = parsed.family === 4 ? 32 : 128;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return formatIp({ family: parsed.family, value: parsed.value & mask, prefix });
}

/**
 * Counts `found` and `ban` events per jail per minute and per address per hour, on the events' own
 * (log) times, in memory; `take()` hands the counts over and starts afresh, so the store is written
 * once per flush, not once per failure.
 */
export class ActivityRecorder {
  private minutes = new Map<string, ActivityMinute>();
  private offenders = new Map<string, ActivityCounts['offenders'][number]>();

  record(event: DaemonEvent): void {
    if (event.type !== 'found' && event.type !== 'ban') return;
    const field = event.type === 'found' ? 'failures' : 'bans';
    const minute = Math.floor(event.time / 60) * 60;
    const minuteKey = `${event.jail}\n${minute}`;
    let counts = this.minutes.get(minuteKey);
    if (!counts) this.minutes.set(minuteKey, counts = { jail: event.jail, minute, failures: 0, bans: 0 });
    counts[field]++;
    const hour = Math.floor(event.time / 3600) * 3600;
    const offenderKey = `${event.ip}\n${hour}`;
    let offender = this.offenders.get(offenderKey);
    if (!offender) {
      if (this.offenders.size >= MAX_BUFFERED_OFFENDERS) return;
      this.offenders.set(offenderKey, offender = { ip: event.ip, hour, network: networkOf(event.ip), failures: 0, bans: 0 });
    }
    offender[field]++;
  }

  take(): ActivityCounts {
    const counts = { minutes: [...this.minutes.values()], offenders: [...this.offenders.values()] };
    this.minutes = new Map();
    this.offenders = new Map();
    return counts;
  }
}
