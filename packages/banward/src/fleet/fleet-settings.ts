/**
 * banward.conf's `[fleet]` section (docs/fleet.md): where the fleet's Redis is, this node's name, which
 * jails share their bans and which take the fleet's. Read once, checked with file:line, frozen.
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { getOption, type ConfigStore } from '../config/index.js';
import { deepFreeze } from '../deep-freeze.js';
import { BanwardError } from '../errors.js';

export interface RedisAddress {
  host: string;
  port: number;
}

/** How to reach the fleet's Redis: one server (`redis =`), or the master a set of Sentinels names. */
export interface RedisTarget {
  /** The server of `redis =`; absent with Sentinels. */
  server?: RedisAddress;
  sentinels?: RedisAddress[];
  sentinelName?: string;
  /** `sentinel_password_file`: the Sentinels' own password (their `requirepass`), not the data nodes'. */
  sentinelPassword?: string;
  db: number;
  /** `rediss://`: TLS, the server's certificate checked against the system's CAs or `tlsCa`. */
  tls: boolean;
  /** `tls_ca_file`: the PEM of the CA(s) the server's certificate must chain to, instead of the system's. */
  tlsCa?: string;
  username?: string;
  password?: string;
}

/** `all`, or the jails named. */
export type JailSelection = 'all' | readonly string[];

export interface FleetSettings {
  redis: RedisTarget;
  /** This node's name in messages and heartbeats (default: the host name). */
  node: string;
  /** The jails whose bans go to the fleet. */
  share: JailSelection;
  /** The jails that take the fleet's bans (default: the same as `share`). */
  apply: JailSelection;
  /** The prefix of every Redis key (default `banward:`). */
  prefix: string;
}

export const FLEET_SECTION = 'fleet';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PREFIX_RE = /^[A-Za-z0-9:._-]{1,64}$/;
const DEFAULT_PORT = 6379;

interface Option {
  text: string;
  file: string;
  line: number;
}

function valueError(option: Option, message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_CONFIG_VALUE', `[fleet] ${message}`, { file: option.file, line: option.line });
}

/** Whether a jail takes part in a selection. */
export function selects(selection: JailSelection, jail: string): boolean {
  return selection === 'all' || selection.includes(jail);
}

function readAddress(option: Option, text: string): RedisAddress {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw valueError(option, `expected host:port, not ${JSON.stringify(text.trim())}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function readUrl(option: Option): Pick<RedisTarget, 'server' | 'db' | 'tls' | 'username' | 'password'> {
  let url: URL;
  try {
    url = new URL(option.text);
  } catch {
    throw valueError(option, `redis must be redis://[:password@]host:port/db or rediss://…, not ${JSON.stringify(option.text)}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw valueError(option, `redis: expected redis:// or rediss://, not ${url.protocol}//`);
  if (url.search !== '' || url.hash !== '') throw valueError(option, 'redis: no query or fragment is read; write the database as /db');
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d{0,2}$/.test(dbText) || db > 15) throw valueError(option, `redis: the database is a number 0-15, not ${JSON.stringify(dbText)}`);
  const server = readAddress(option, url.port === '' ? url.hostname : `${url.hostname}:${url.port}`);
  return {
    server, db, tls: url.protocol === 'rediss:',
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  };
}

function readOptionFile(option: Option, what: string): { text: string; mode: number } {
  try {
    return { mode: statSync(option.text).mode, text: readFileSync(option.text, 'utf8') };
  } catch (error) {
    throw valueError(option, `${what} ${option.text}: ${(error as Error).message}`);
  }
}

/** The password file must be the daemon's alone (0600 or stricter): it guards every node's firewall. */
function readPasswordFile(option: Option, what: string): string {
  const { text, mode } = readOptionFile(option, what);
  if ((mode & 0o077) !== 0) throw valueError(option, `${what} ${option.text} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
  const password = text.replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password)) throw valueError(option, `${what} ${option.text} must hold one line, the password`);
  return password;
}

/** A CA is public: any mode will do, but it must be PEM, read now so a wrong path is refused at its line. */
function readCaFile(option: Option, tls: boolean): string {
  if (!tls) throw valueError(option, 'tls_ca_file needs redis = rediss://… (TLS)');
  const { text } = readOptionFile(option, 'tls_ca_file');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw valueError(option, `tls_ca_file ${option.text} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return text;
}

function readSelection(option: Option | undefined, fallback: JailSelection): JailSelection {
  if (!option) return fallback;
  const words = option.text.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0 || (words.length === 1 && words[0] === 'all')) return 'all';
  const bad = words.find((w) => w === 'all' || !NAME_RE.test(w));
  if (bad !== undefined) throw valueError(option, `${JSON.stringify(bad)} is not a jail name (a list of jails, or all)`);
  return words;
}

function readName(option: Option | undefined, fallback: string, what: string, re: RegExp): string {
  if (!option) return fallback;
  if (!re.test(option.text)) throw valueError(option, `${what} may hold letters, digits, '.', '_', '-' (up to 64), not ${JSON.stringify(option.text)}`);
  return option.text;
}

/** The `[fleet]` section of banward.conf; null when there is none (or `enabled = false`): the fleet is off. */
export function readFleetSettings(store: ConfigStore): FleetSettings | null {
  if (!store.sections.has(FLEET_SECTION)) return null;
  const option = (name: string): Option | undefined => {
    const raw = getOption(store, FLEET_SECTION, name);
    return raw && { text: raw.value.text.trim(), file: raw.file, line: raw.line };
  };
  const enabled = option('enabled');
  if (enabled && !/^(true|false|yes|no|1|0|on|off)$/i.test(enabled.text)) throw valueError(enabled, `enabled: expected true or false, not ${JSON.stringify(enabled.text)}`);
  if (enabled && /^(false|no|0|off)$/i.test(enabled.text)) return null;
  const redisOption = option('redis');
  const sentinelsOption = option('sentinels');
  const sentinelNameOption = option('sentinel_name');
  if (!redisOption && !sentinelsOption) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', '[fleet] needs redis = redis://host:port/db (or sentinels = host:port, … with sentinel_name =)', { file: [...store.sections.get(FLEET_SECTION)!.values()][0]?.file });
  }
  const fromUrl = redisOption ? readUrl(redisOption) : { db: 0, tls: false };
  const redis: RedisTarget = { ...fromUrl };
  if (sentinelsOption) {
    if (!sentinelNameOption) throw valueError(sentinelsOption, 'sentinels need sentinel_name = the master\'s name');
    redis.sentinels = sentinelsOption.text.split(',').map((a) => readAddress(sentinelsOption, a));
    redis.sentinelName = readName(sentinelNameOption, '', 'sentinel_name', NAME_RE);
    delete redis.server;
  }
  const passwordFile = option('password_file');
  if (passwordFile) {
    if (redis.password !== undefined) throw valueError(passwordFile, 'password_file and a password in redis = both given: keep one');
    redis.password = readPasswordFile(passwordFile, 'password_file');
  }
  const sentinelPasswordFile = option('sentinel_password_file');
  if (sentinelPasswordFile) {
    if (!redis.sentinels) throw valueError(sentinelPasswordFile, 'sentinel_password_file needs sentinels =');
    redis.sentinelPassword = readPasswordFile(sentinelPasswordFile, 'sentinel_password_file');
  }
  const caFile = option('tls_ca_file');
  if (caFile) redis.tlsCa = readCaFile(caFile, redis.tls);
  const share = readSelection(option('share'), 'all');
  return deepFreeze({
    redis,
    node: readName(option('node'), hostname(), 'node', NAME_RE),
    share,
    apply: readSelection(option('apply'), share),
    prefix: readName(option('prefix'), 'banward:', 'prefix', PREFIX_RE),
  });
}
