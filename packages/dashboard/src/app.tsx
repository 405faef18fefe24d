/** The dashboard: the login screen until a token is accepted, then the screens behind the nav. */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api.js';
import type { FeedEntry } from './components/live-feed.js';
import { openEventStream, type StreamState } from './event-stream.js';
import { LiveEvents } from './live.js';
import { useRoute } from './route.js';
import { BansScreen } from './screens/bans.js';
import { LoginScreen } from './screens/login.js';
import { OverviewScreen } from './screens/overview.js';
import { SearchScreen } from './screens/search.js';
import { forgetToken, storedToken, storeToken, type Session } from './session.js';

const FEED_LIMIT = 200;

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => storedToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const logOut = useCallback((message: string | null) => {
    forgetToken();
    setSession(null);
    setNotice(message);
  }, []);

  const logIn = useCallback(async (token: string): Promise<void> => {
    const api = createApi(token, () => logOut('The token was refused (401): log in again.'));
    const { role } = await api.whoami();
    storeToken(token);
    setNotice(null);
    setSession({ api, role });
  }, [logOut]);

  useEffect(() => {
    const token = storedToken();
    if (token !== null) logIn(token).catch(() => undefined).finally(() => setChecking(false));
  }, [logIn]);

  if (checking) return <p class="muted">Connecting…</p>;
  if (!session) return <LoginScreen logIn={logIn} notice={notice} />;
  return <Shell session={session} logOut={() => logOut(null)} />;
}

function Shell({ session, logOut }: { session: Session; logOut: () => void }) {
  const route = useRoute();
  const live = useMemo(() => new LiveEvents(), []);
  const [feed, setFeed] = useState<FeedEntry[]>([]);
  const [stream, setStream] = useState<StreamState>('connecting');

  useEffect(() => openEventStream(session.api, (event) => {
    setFeed((entries) => [{ seq: (entries[0]?.seq ?? 0) + 1, event }, ...entries].slice(0, FEED_LIMIT));
    live.emit(event);
  }, setStream), [session, live]);

  return (
    <div class="shell">
      <header class="top">
        <strong class="brand">banward</strong>
        <nav>
          <a href="#/" class={route.screen === 'overview' ? 'active' : ''}>Overview</a>
          <a href="#/bans" class={route.screen === 'bans' ? 'active' : ''}>Bans</a>
          <a href="#/search/" class={route.screen === 'search' ? 'active' : ''}>Search</a>
        </nav>
        <span class={`stream ${stream}`} data-testid="stream-state">{stream === 'live' ? '● live' : stream}</span>
        <span class="role" data-testid="role">{session.role}</span>
        <button type="button" onClick={logOut} data-testid="logout-button">Log out</button>
      </header>
      <main>
        {route.screen === 'overview' && <OverviewScreen session={session} live={live} feed={feed} />}
        {route.screen === 'bans' && <BansScreen session={session} live={live} />}
        {route.screen === 'search' && <SearchScreen key={route.query} session={session} query={route.query} />}
      </main>
    </div>
  );
}
