import { useState } from 'preact/hooks';
import type { Ban } from '../api.js';
import { formatDuration, formatExpiry, formatTime } from '../format.js';
import { searchHref } from '../route.js';

/** Bans as rows; with `unban` (admin only) each row has its Unban button. */
export function BanTable({ bans, unban }: { bans: Ban[]; unban: ((ban: Ban) => Promise<void>) | null }) {
  if (bans.length === 0) return <p class="muted" data-testid="bans-empty">No bans.</p>;
  return (
    <table class="bans">
      <thead><tr><th>address</th><th>jail</th><th>since</th><th>bantime</th><th>expires</th><th>count</th><th>origin</th>{unban && <th />}</tr></thead>
      <tbody>
        {bans.map((ban) => (
          <tr key={`${ban.jail} ${ban.ip}`} data-testid="ban-row" data-jail={ban.jail} data-ip={ban.ip}>
            <td><a href={searchHref(ban.ip)}>{ban.ip}</a></td>
            <td>{ban.jail}</td>
            <td>{formatTime(ban.time)}</td>
            <td>{formatDuration(ban.bantime)}</td>
            <td>{formatExpiry(ban.expires)}</td>
            <td>{ban.banCount}</td>
            <td data-testid="ban-origin">{ban.origin ?? 'this host'}</td>
            {unban && <td><UnbanButton run={() => unban(ban)} /></td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function UnbanButton({ run, label = 'Unban' }: { run: () => Promise<void>; label?: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button type="button" class="danger" disabled={busy} data-testid="unban-button"
      onClick={() => { setBusy(true); void run().finally(() => setBusy(false)); }}>{label}</button>
  );
}
