import type { LiveEvent } from '../api.js';

/** One feed line; `seq` numbers the events as they arrived, so a line keeps its key as the feed scrolls. */
export interface FeedEntry { seq: number; event: LiveEvent }
import { formatClock } from '../format.js';

export function LiveFeed({ feed }: { feed: FeedEntry[] }) {
  return (
    <section class="card feed">
      <h3>Live feed</h3>
      {feed.length === 0 ? <p class="muted" data-testid="feed-empty">No events yet.</p> : (
        <ol>
          {feed.map(({ seq, event }) => (
            <li key={seq} class={`event ${event.type}`} data-testid="feed-entry" data-type={event.type}>
              <time>{formatClock(event.time)}</time> <span class="kind">{event.type}</span> <span class="what">{describe(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function describe(event: LiveEvent): string {
  switch (event.type) {
    case 'found': return `${event.jail}: ${event.ip} — ${event.lines.join(' | ')}`;
    case 'ban': return `${event.jail}: ${event.ip} banned ${event.origin === undefined ? `(${event.failures} failures, ban #${event.banCount})` : `by fleet node ${event.origin} (ban #${event.banCount})`}`;
    case 'unban': return `${event.jail}: ${event.ip} unbanned (${event.reason})`;
    case 'action-error': return `${event.jail}: ${event.action} ${event.operation} failed: ${event.message}`;
    case 'reload': return `reloaded (${event.jails.length === 0 ? 'nothing changed' : event.jails.join(', ')})`;
    case 'reload-refused': return `reload refused: ${event.message}`;
  }
}
