import { useEffect, useState } from 'preact/hooks';
import type { BanPage, BanQuery } from '../api.js';
import type { Session } from '../session.js';
import { BanTable } from '../components/ban-table.js';
import { useLiveEvents, type LiveEvents } from '../live.js';
import { useUnban } from './unban.js';

const PAGE = 50;

/** A filter text with a slash is a network (bans inside or covering it), otherwise an address. */
function addressFilter(text: string): Pick<BanQuery, 'ip' | 'network'> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  return trimmed.includes('/') ? { network: trimmed } : { ip: trimmed };
}

export function BansScreen({ session, live }: { session: Session; live: LiveEvents }) {
  const { api } = session;
  const [jails, setJails] = useState<string[]>([]);
  const [jail, setJail] = useState('');
  const [address, setAddress] = useState('');
  const [applied, setApplied] = useState<Omit<BanQuery, 'limit'>>({ offset: 0 });
  const [page, setPage] = useState<BanPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = () => setGeneration((g) => g + 1);

  useEffect(() => { api.jails().then((r) => setJails(r.jails.map((j) => j.name))).catch(() => undefined); }, [api]);
  useEffect(() => {
    api.bans({ ...applied, limit: PAGE }).then((p) => { setPage(p); setError(null); })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [api, applied, generation]);
  useLiveEvents(live, (event) => { if (event.type === 'ban' || event.type === 'unban') reload(); });
  const { unban, unbanError } = useUnban(session, reload);

  const filter = (e: Event) => {
    e.preventDefault();
    setApplied({ offset: 0, ...(jail === '' ? {} : { jail }), ...addressFilter(address) });
  };
  const offset = page?.offset ?? 0;
  const goTo = (next: number) => setApplied({ ...applied, offset: Math.max(0, next) });

  return (
    <div class="bans-screen">
      <form class="filters" onSubmit={filter}>
        <select value={jail} onChange={(e) => setJail(e.currentTarget.value)} data-testid="bans-jail">
          <option value="">all jails</option>
          {jails.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
        <input type="text" placeholder="address or network (CIDR)" value={address} data-testid="bans-address"
          onInput={(e) => setAddress(e.currentTarget.value)} />
        <button type="submit" data-testid="bans-filter">Filter</button>
      </form>
      {error !== null && <p class="error">{error}</p>}
      {unbanError !== null && <p class="error">{unbanError}</p>}
      {page && (
        <>
          <p class="muted" data-testid="bans-total">{page.total === 0 ? 'No bans match.' : `${offset + 1}–${offset + page.bans.length} of ${page.total}`}</p>
          <BanTable bans={page.bans} unban={unban} />
          <div class="pager">
            <button type="button" disabled={offset === 0} onClick={() => goTo(offset - PAGE)} data-testid="bans-previous">Previous</button>
            <button type="button" disabled={offset + page.bans.length >= page.total} onClick={() => goTo(offset + PAGE)} data-testid="bans-next">Next</button>
          </div>
        </>
      )}
    </div>
  );
}
