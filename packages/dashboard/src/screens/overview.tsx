import { useEffect, useRef, useState } from 'preact/hooks';
import type { Activity, Ban, Jail, LiveEvent, Top } from '../api.js';
import type { Session } from '../session.js';
import { ActivityChart } from '../components/activity-chart.js';
import { BanTable } from '../components/ban-table.js';
import { JailCard } from '../components/jail-card.js';
import { LiveFeed, type FeedEntry } from '../components/live-feed.js';
import { TopLists } from '../components/top-lists.js';
import { countEvent, listEvent } from '../live-counters.js';
import { useLiveEvents, type LiveEvents } from '../live.js';
import { useUnban } from './unban.js';

const RECENT_BANS = 20;
const REFRESH_MS = 60_000;

export function OverviewScreen({ session, live, feed }: { session: Session; live: LiveEvents; feed: FeedEntry[] }) {
  const { api } = session;
  const [jails, setJails] = useState<Jail[] | null>(null);
  const [bans, setBans] = useState<Ban[]>([]);
  const [activity, setActivity] = useState<Activity | null>(null);
  const [top, setTop] = useState<Top | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The events that arrive before the first list of bans; null once it is shown. */
  const early = useRef<LiveEvent[] | null>([]);
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  const loadJails = () => api.jails().then((r) => setJails(r.jails)).catch(fail);
  useEffect(() => {
    void loadJails();
    api.bans({ offset: 0, limit: RECENT_BANS }).then((r) => {
      // Bans and unbans are idempotent on the list, so replaying what came during the fetch is safe either way.
      setBans((early.current ?? []).reduce((list, event) => listEvent(list, event, RECENT_BANS), r.bans));
      early.current = null;
    }).catch(fail);
    const loadCharts = () => {
      api.activity(24).then(setActivity).catch(fail);
      api.top(10, 24).then(setTop).catch(fail);
    };
    loadCharts();
    // Live events keep the counters moving; this refresh corrects what events cannot tell (addresses failing now).
    const timer = window.setInterval(() => { void loadJails(); loadCharts(); }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [api]);

  useLiveEvents(live, (event) => {
    early.current?.push(event);
    if (event.type === 'reload') void loadJails();
    setJails((current) => (current ? countEvent(current, event) : current));
    setBans((current) => listEvent(current, event, RECENT_BANS));
  });

  const { unban, unbanError } = useUnban(session, (ban) => setBans((current) => current.filter((b) => b !== ban)));

  return (
    <div class="overview">
      {error !== null && <p class="error" data-testid="overview-error">{error}</p>}
      {unbanError !== null && <p class="error">{unbanError}</p>}
      <div class="jails" data-testid="jails">
        {jails === null ? <p class="muted">Loading jails…</p> : jails.length === 0 ? <p class="muted">No jails running.</p>
          : jails.map((jail) => <JailCard key={jail.name} jail={jail} />)}
      </div>
      {activity && <ActivityChart activity={activity} />}
      {top && <TopLists top={top} />}
      <div class="columns">
        <section class="card" data-testid="recent-bans">
          <h3>Current bans <span class="muted">(newest {RECENT_BANS})</span></h3>
          <BanTable bans={bans} unban={unban} />
        </section>
        <LiveFeed feed={feed} />
      </div>
    </div>
  );
}
