/** Hash routes, so the daemon serves one index.html and the address bar still names the screen. */
import { useEffect, useState } from 'preact/hooks';

export type Route = { screen: 'overview' } | { screen: 'bans' } | { screen: 'search'; query: string };

export function parseRoute(hash: string): Route {
  const [, screen = '', rest = ''] = /^#\/([^/]*)\/?(.*)$/.exec(hash) ?? [];
  if (screen === 'bans') return { screen: 'bans' };
  if (screen === 'search') return { screen: 'search', query: safeDecode(rest) };
  return { screen: 'overview' };
}

export function searchHref(query: string): string {
  return `#/search/${encodeURIComponent(query)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
