import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { getOption, parseBooleanWord, type ConfigStore } from '../config/index.js';
import { BanwardError } from '../errors.js';
import { parseIp } from '../net/ip-address.js';

/** Where the HTTP server listens: a TCP address (`loopback` when only this host reaches it) or a unix socket. */
export type HttpListen =
  | { kind: 'tcp'; host: string; port: number; loopback: boolean }
  | { kind: 'unix'; path: string };

/** `[http]` of banward.conf, compiled: the server is off when the daemon's `http` is null. */
export interface HttpSettings {
  listen: HttpListen;
  /** SHA-256 (hex) of each token; the tokens themselves are compared only as digests. */
  readTokenDigest: string | null;
  adminTokenDigest: string | null;
  /** /metrics without a token (loopback and unix listeners only). */
  metricsPublic: boolean;
  /** The jail failed logins are reported into. */
  jail: string;
  /** Proxies whose X-Forwarded-For is believed (addresses or networks); empty: none. */
  trustedProxies: string[];
}

export const DEFAULT_HTTP_LISTEN = '127.0.0.1:9191';
export const DEFAULT_HTTP_JAIL = 'banward-http';

interface Located {
  file: string;
  line: number;
}

function configError(where: Located, message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_CONFIG_VALUE', message, where);
}

/** `127.0.0.1:9191`, `[::1]:9191` or `unix:/run/banward/http.sock`. */
export function parseListen(text: string, where: Located): HttpListen {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (!isAbsolute(path)) throw configError(where, `listen: a unix socket needs an absolute path, not ${JSON.stringify(path)}`);
    return { kind: 'unix', path };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  const ip = host === undefined ? null : parseIp(host);
  if (!ip || ip.prefix !== (ip.family === 4 ? 32 : 128) || !(port >= 1 && port <= 65535)) {
    throw configError(where, `listen must be ADDRESS:PORT (127.0.0.1:9191, [::1]:9191) or unix:/PATH, not ${JSON.stringify(text)}`);
  }
  const loopback = ip.family === 4 ? host!.startsWith('127.') : ip.value === 1n;
  return { kind: 'tcp', host: host!, port, loopback };
}

/** A token file must exist, hold a token, be root's and readable by root alone: anything else is a config error. */
function readTokenDigest(path: string, where: Located): string {
  if (!isAbsolute(path)) throw configError(where, `token file must be an absolute path, not ${JSON.stringify(path)}`);
  let text: string;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw configError(where, `token file ${path} is not a regular file`);
    if ((stats.mode & 0o077) !== 0) {
      throw configError(where, `token file ${path} is readable by others (mode ${(stats.mode & 0o777).toString(8)}); chmod 600 it`);
    }
    if (stats.uid !== 0) throw configError(where, `token file ${path} must belong to root (uid ${stats.uid})`);
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if (error instanceof BanwardError) throw error;
    throw configError(where, `token file ${path} cannot be read: ${(error as Error).message}`);
  }
  if (text.length < 16) throw configError(where, `token file ${path} holds no token of at least 16 characters`);
  return createHash('sha256').update(text).digest('hex');
}

/** `yes`/`no` words as everywhere in fail2ban's files. */
function booleanOption(store: ConfigStore, name: string, fallback: boolean): boolean {
  const option = getOption(store, 'http', name);
  if (!option) return fallback;
  const value = parseBooleanWord(option.value.text);
  if (value === undefined) throw configError(option, `${name} must be true or false, not ${JSON.stringify(option.value.text)}`);
  return value;
}

/**
 * Reads `[http]`; null when the section is absent or `enabled = false`, unless `listenOverride`
 * (`banward server --http`) turns it on. `sourceFile` locates problems that have no option line.
 */
export function readHttpSettings(store: ConfigStore | undefined, sourceFile: string, listenOverride?: string): HttpSettings | null {
  const section = store?.sections.has('http') ? store : undefined;
  const sectionStart: Located = { file: sourceFile, line: 0 };
  if (listenOverride === undefined && (!section || !booleanOption(section, 'enabled', false))) return null;
  if (!section) throw configError(sectionStart, '--http needs an [http] section with read_token_file or admin_token_file');
  const listenOption = getOption(section, 'http', 'listen');
  const listen = listenOverride === undefined
    ? parseListen(listenOption?.value.text.trim() ?? DEFAULT_HTTP_LISTEN, listenOption ?? sectionStart)
    : parseListen(listenOverride, { file: '--http', line: 0 });
  const remote = listen.kind === 'tcp' && !listen.loopback;
  if (remote && !booleanOption(section, 'allow_remote', false)) {
    throw configError(listenOption ?? sectionStart, `listen on ${listen.host} reaches beyond this host: set allow_remote = true (and put a TLS proxy in front)`);
  }
  const token = (name: string): string | null => {
    const option = getOption(section, 'http', name);
    const path = option?.value.text.trim();
    return option && path ? readTokenDigest(path, option) : null;
  };
  const readTokenDigestValue = token('read_token_file');
  const adminTokenDigest = token('admin_token_file');
  if (readTokenDigestValue === null && adminTokenDigest === null) {
    throw configError(sectionStart, '[http] needs read_token_file or admin_token_file (or both): no token, no API');
  }
  const metricsPublic = booleanOption(section, 'metrics_public', false);
  if (metricsPublic && remote) {
    throw configError(getOption(section, 'http', 'metrics_public')!, 'metrics_public = true is allowed only on a loopback or unix listener');
  }
  const jail = getOption(section, 'http', 'jail')?.value.text.trim() || DEFAULT_HTTP_JAIL;
  const proxiesOption = getOption(section, 'http', 'trusted_proxies');
  const trustedProxies = (proxiesOption?.value.text ?? '').split(/[\s,]+/).filter((p) => p !== '');
  for (const proxy of trustedProxies) {
    if (!parseIp(proxy)) {
      throw configError(proxiesOption!, `trusted_proxies: ${JSON.stringify(proxy)} is not an address or network`);
    }
  }
  return { listen, readTokenDigest: readTokenDigestValue, adminTokenDigest, metricsPublic, jail, trustedProxies };
}
