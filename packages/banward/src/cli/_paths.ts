import { fileURLToPath } from 'node:url';

/** The config that ships with the package (`packages/banward/config`), used when --config is not given. */
export function bundledConfigDir(): string {
  return shippedPath('config');
}

/** A file or folder of the installed package (`systemd/banward.service`, `bin/banward.js`). */
export function shippedPath(relative: string): string {
  return fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
}

/** Defaults, as fail2ban's: config in /etc/banward, state in /var/lib/banward, the socket under /run. */
export const DEFAULT_CONFIG_DIR = '/etc/banward';
export const DEFAULT_STATE_DIR = '/var/lib/banward';
export const DEFAULT_SOCKET = '/run/banward/banward.sock';
/** The app socket's file name, beside the admin socket: /run/banward/app.sock by default. */
export const APP_SOCKET_NAME = 'app.sock';
