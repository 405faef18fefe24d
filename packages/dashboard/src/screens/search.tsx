import { useEffect, useState } from 'preact/hooks';
import type { AddressStory, Ban } from '../api.js';
import type { Session } from '../session.js';
import { BanTable, UnbanButton } from '../components/ban-table.js';
import { formatDuration, formatTime } from '../format.js';
import { searchHref } from '../route.js';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Keyed by `query` where it is used: a new search is a new screen, so the box starts from the address bar. */
export function SearchScreen({ session, query }: { session: Session; query: string }) {
  const { api } = session;
  const [text, setText] = useState(query);
  const [story, setStory] = useState<AddressStory | null>(null);
  const [networkBans, setNetworkBans] = useState<Ban[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = () => setGeneration((g) => g + 1);

  useEffect(() => {
    setStory(null);
    setNetworkBans(null);
    setError(null);
  }, [query]);

  // After a ban or unban the same story is fetched again and replaces the one shown: the screen (and the
  // jail chosen in the Ban form) stays as it is meanwhile.
  useEffect(() => {
    if (query === '') return;
    // A network has no story of its own (the daemon keeps failures per address): its bans stand for it.
    if (query.includes('/')) api.bans({ network: query, offset: 0, limit: 500 }).then((p) => setNetworkBans(p.bans)).catch((e: unknown) => setError(message(e)));
    else api.story(query).then(setStory).catch((e: unknown) => setError(message(e)));
  }, [api, query, generation]);

  const search = (e: Event) => {
    e.preventDefault();
    location.hash = searchHref(text.trim());
  };
  const act = async (what: () => Promise<string>) => {
    try {
      setNotice(await what());
      setError(null);
    } catch (e) {
      setError(message(e));
    }
    reload();
  };

  return (
    <div class="search">
      <form class="filters" onSubmit={search}>
        <input type="text" placeholder="address or network, e.g. 203.0.113.7 or 203.0.113.0/24" value={text} data-testid="search-input"
          onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" data-testid="search-button">Search</button>
      </form>
      {notice !== null && <p class="notice" data-testid="search-notice">{notice}</p>}
      {error !== null && <p class="error" data-testid="search-error">{error}</p>}
      {story && <Story story={story} admin={session.role === 'admin'} act={act} session={session} />}
      {networkBans && (
        <section class="card">
          <h3>Bans inside or covering {query}</h3>
          <BanTable bans={networkBans} unban={null} />
        </section>
      )}
    </div>
  );
}

function Story({ story, admin, act, session }: { story: AddressStory; admin: boolean; act: (what: () => Promise<string>) => Promise<void>; session: Session }) {
  const [banJail, setBanJail] = useState(story.jails[0]?.jail ?? '');
  const banned = story.jails.some((j) => j.ban !== null);
  return (
    <div class="story" data-testid="story">
      <h2 data-testid="story-ip">{story.ip}</h2>
      {admin && (
        <div class="actions">
          <select value={banJail} onChange={(e) => setBanJail(e.currentTarget.value)} data-testid="ban-jail">
            {story.jails.map((j) => <option key={j.jail} value={j.jail}>{j.jail}</option>)}
          </select>
          <button type="button" data-testid="ban-button" disabled={banJail === ''}
            onClick={() => void act(async () => `Banned in ${banJail}: ${(await session.api.ban(banJail, story.ip)).banned}`)}>Ban</button>
          {banned && <UnbanButton label="Unban everywhere"
            run={() => act(async () => `Unbanned: ${(await session.api.unban(story.ip)).unbanned}`)} />}
        </div>
      )}
      {story.jails.map((j) => (
        <section class="card" key={j.jail} data-testid="story-jail" data-jail={j.jail}>
          <h3>{j.jail}</h3>
          {j.ignoredBy !== null && <p class="notice" data-testid="story-ignored">Ignored by <code>{j.ignoredBy}</code>: never banned here.</p>}
          {j.ban
            ? (
              <p class="bad" data-testid="story-ban">
                Banned since {formatTime(j.ban.time)} for {formatDuration(j.ban.bantime)} (ban #{j.ban.banCount}).{' '}
                {admin && <UnbanButton run={() => act(async () => `Unbanned in ${j.jail}: ${(await session.api.unban(story.ip, j.jail)).unbanned}`)} />}
              </p>
            )
            : <p class="muted">Not banned.</p>}
          <p><span data-testid="story-failures">{j.failures.count}</span> failures</p>
          <ul class="lines">
            {j.failures.entries.flatMap((entry, e) => entry.lines.map((line, l) => (
              <li key={`${e}.${l}`}><time>{formatTime(entry.time)}</time> <code data-testid="story-line">{line}</code></li>
            )))}
          </ul>
        </section>
      ))}
      <section class="card">
        <h3>Ban history</h3>
        {story.history.length === 0 ? <p class="muted">Never banned.</p> : (
          <table>
            <thead><tr><th>jail</th><th>banned at</th><th>bantime</th><th>ban #</th><th>matched lines</th></tr></thead>
            <tbody>
              {story.history.map((h, i) => (
                <tr key={i} data-testid="story-history">
                  <td>{h.jail}</td><td>{formatTime(h.time)}</td><td>{formatDuration(h.bantime)}</td><td>{h.banCount}</td>
                  <td><ul class="lines">{h.matches.map((line, l) => <li key={l}><code data-testid="story-history-line">{line}</code></li>)}</ul></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
