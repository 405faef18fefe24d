/** The HTTP API v1 as the dashboard sees it (docs/http-api.md): its types and one authenticated client. */

export type Role = 'read' | 'admin';

export interface Counts { failures: number; bans: number }

export interface Jail {
  name: string;
  enforced: boolean;
  notEnforced: string | null;
  currentlyFailed: number;
  totalFailed: number;
  currentlyBanned: number;
  totalBanned: number;
  lastHour: Counts;
  lastDay: Counts;
  settings: { findtime: number; bantime: number; maxretry: number };
  inputs: { files?: string[]; journalMatch?: string[]; reports: boolean };
}

/** `origin`: the fleet node the ban came from (docs/fleet.md); absent for this host's own. */
export interface Ban { jail: string; ip: string; time: number; bantime: number; expires: number | null; banCount: number; origin?: string }

export interface BanPage { total: number; offset: number; limit: number; bans: Ban[] }

export interface BanQuery { jail?: string; ip?: string; network?: string; offset: number; limit: number }

export interface AddressStory {
  ip: string;
  jails: Array<{ jail: string; failures: { count: number; entries: Array<{ time: number; lines: string[] }> }; ban: Ban | null; ignoredBy: string | null }>;
  history: Array<{ jail: string; time: number; bantime: number; banCount: number; matches: string[] }>;
}

export interface Activity { from: number; to: number; minutes: Array<{ jail: string; minute: number; failures: number; bans: number }> }

export interface Top {
  offenders: Array<{ ip: string; failures: number; bans: number }>;
  networks: Array<{ network: string; failures: number; bans: number }>;
}

/** What the daemon streams at /api/v1/events (DaemonEvent in packages/banward/src/control/daemon-control.ts). */
export type LiveEvent =
  | { type: 'found'; jail: string; ip: string; time: number; lines: string[] }
  | { type: 'ban'; jail: string; ip: string; time: number; bantime: number; banCount: number; failures: number; origin?: string }
  | { type: 'unban'; jail: string; ip: string; time: number; reason: string }
  | { type: 'action-error'; jail: string; action: string; operation: string; message: string; time: number }
  | { type: 'reload'; jails: string[]; time: number }
  | { type: 'reload-refused'; message: string; time: number };

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface Api {
  whoami(): Promise<{ role: Role }>;
  jails(): Promise<{ jails: Jail[] }>;
  bans(query: BanQuery): Promise<BanPage>;
  ban(jail: string, ip: string): Promise<{ banned: number }>;
  unban(ip: string, jail?: string): Promise<{ unbanned: number }>;
  story(ip: string): Promise<AddressStory>;
  activity(hours: number): Promise<Activity>;
  top(limit: number, hours: number): Promise<Top>;
  /** The open event stream's response (its body is read by event-stream.ts). */
  events(signal: AbortSignal): Promise<Response>;
}

/** `onUnauthorized` runs on every 401: the token is wrong or gone, so the app returns to the login screen. */
export function createApi(token: string, onUnauthorized: () => void): Api {
  const send = async (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init: RequestInit = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal) init.signal = signal;
    const response = await fetch(`api/v1/${path}`, init);
    if (response.ok) return response;
    if (response.status === 401) onUnauthorized();
    const error = (await response.json().catch(() => ({}))) as { code?: unknown; message?: unknown };
    throw new ApiError(response.status, typeof error.code === 'string' ? error.code : 'HTTP',
      typeof error.message === 'string' ? error.message : `HTTP ${response.status}`);
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await send(method, path, body)).json() as Promise<T>;
  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
    return search.toString();
  };
  return {
    whoami: () => json('GET', 'whoami'),
    jails: () => json('GET', 'jails'),
    bans: (q) => json('GET', `bans?${query({ jail: q.jail, ip: q.ip, network: q.network, offset: q.offset, limit: q.limit })}`),
    ban: (jail, ip) => json('POST', 'bans', { jail, ip }),
    unban: (ip, jail) => json('DELETE', `bans/${encodeURIComponent(ip)}${jail === undefined ? '' : `?${query({ jail })}`}`),
    story: (ip) => json('GET', `ips/${encodeURIComponent(ip)}`),
    activity: (hours) => json('GET', `activity?${query({ hours })}`),
    top: (limit, hours) => json('GET', `top?${query({ limit, hours })}`),
    events: (signal) => send('GET', 'events', undefined, signal),
  };
}
