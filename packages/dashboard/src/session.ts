import type { Api, Role } from './api.js';

/** A logged-in tab: the client that carries its token, and what the token may do. */
export interface Session { api: Api; role: Role }

/** The token lives in sessionStorage only: it goes when the tab closes, and no cookie ever carries it. */
const KEY = 'banward.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
