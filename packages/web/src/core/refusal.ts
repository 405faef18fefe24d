/** The answer to a request the guard does not let through; adapters send it as it is. */
export interface Refusal {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Why a request is refused: a lockout, the route guard, or the lockout store down with `failClosed`. */
export type RefusalReason = 'locked' | 'forbidden' | 'unavailable';

/** What a custom response function is told about the refused request. */
export interface RefusalInfo {
  reason: RefusalReason;
  ip: string | null;
  route: string;
  /** Seconds until the client may try again (0 for `forbidden`). */
  retryAfter: number;
}

/** A custom answer: any part left out keeps its default. An object body is sent as JSON. */
export interface RefusalResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | object;
}

const DEFAULTS: Record<RefusalReason, { status: number; body: string }> = {
  locked: { status: 429, body: 'Too many failed login attempts; try again later.\n' },
  forbidden: { status: 403, body: 'Forbidden.\n' },
  unavailable: { status: 503, body: 'Login is unavailable right now; try again later.\n' },
};

/** Builds the refusal for `info`, letting the user's `respond` function change status, headers or body. */
export function buildRefusal(info: RefusalInfo, respond: ((info: RefusalInfo) => RefusalResponse | undefined) | null): Refusal {
  const custom = respond?.(info) ?? {};
  const json = custom.body !== undefined && typeof custom.body !== 'string';
  const headers: Record<string, string> = {
    'Content-Type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
  };
  if (info.retryAfter > 0) headers['Retry-After'] = String(info.retryAfter);
  const body =
    custom.body === undefined ? DEFAULTS[info.reason].body : typeof custom.body === 'string' ? custom.body : JSON.stringify(custom.body);
  return Object.freeze({
    status: custom.status ?? DEFAULTS[info.reason].status,
    headers: Object.freeze({ ...headers, ...custom.headers }),
    body,
  });
}
