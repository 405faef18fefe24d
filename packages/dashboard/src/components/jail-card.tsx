import type { Jail } from '../api.js';
import { formatDuration } from '../format.js';

export function JailCard({ jail }: { jail: Jail }) {
  return (
    <section class={`card jail ${jail.enforced ? '' : 'not-enforced'}`} data-testid="jail-card" data-jail={jail.name}>
      <header>
        <h3>{jail.name}</h3>
        {jail.enforced
          ? <span class="badge ok" data-testid="jail-enforced">enforced</span>
          : <span class="badge bad" data-testid="jail-not-enforced" title={jail.notEnforced ?? ''}>NOT ENFORCED</span>}
      </header>
      {!jail.enforced && jail.notEnforced !== null && <p class="reason" data-testid="jail-not-enforced-reason">{jail.notEnforced}</p>}
      <dl class="counters">
        <div><dt>banned now</dt><dd data-testid="jail-banned">{jail.currentlyBanned}</dd></div>
        <div><dt>failing now</dt><dd data-testid="jail-failed">{jail.currentlyFailed}</dd></div>
        <div><dt>last hour</dt><dd><span data-testid="jail-hour-failures">{jail.lastHour.failures}</span> failures · <span data-testid="jail-hour-bans">{jail.lastHour.bans}</span> bans</dd></div>
        <div><dt>last day</dt><dd><span data-testid="jail-day-failures">{jail.lastDay.failures}</span> failures · <span data-testid="jail-day-bans">{jail.lastDay.bans}</span> bans</dd></div>
      </dl>
      <p class="muted settings">maxretry {jail.settings.maxretry} in {formatDuration(jail.settings.findtime)} → ban {formatDuration(jail.settings.bantime)}</p>
    </section>
  );
}
