import { BanwardWebError } from './core/index.js';

/** An adapter's own options (e.g. `username`) are functions; a wrong type fails at setup, like the core's. */
export function assertFunctionOption(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new BanwardWebError('BANWARD_WEB_ERR_OPTIONS', `option ${name} must be a function, not ${typeof value}`);
  }
}
