import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { BanwardError } from '../../errors.js';
import { checkTool } from '../../process/index.js';
import type { Checked } from '../../result.js';
import type { ActionKind } from '../action-registry.js';
import type { BanAction, BanTicket } from '../ban-action.js';
import { parseFirewallOptions, parseHooks, parseIpv6Prefix, resolveSpec, type Hook, type ResolvedSpec } from './_options.js';
import type { Reconciled } from './_set-action.js';
import { FirewalldAction, ZONE_RE } from './firewalld-action.js';
import { HostsDenyAction, parseDaemonList } from './hostsdeny-action.js';
import { IpsetAction } from './ipset-action.js';
import { multiportList } from './ipset-text.js';
import { sharedNftMonitor } from './_nft-monitor.js';
import { NftablesAction } from './nftables-action.js';
import { NginxDenyAction, commandFound, parseReload } from './nginx-deny-action.js';
import { ROUTE_PROTO, RouteAction, parseRouteType, type RouteType } from './route-action.js';

export { FirewalldAction } from './firewalld-action.js';
export { HostsDenyAction } from './hostsdeny-action.js';
export { IpsetAction } from './ipset-action.js';
export { NftablesAction } from './nftables-action.js';
export { NginxDenyAction } from './nginx-deny-action.js';
export { RouteAction } from './route-action.js';
export { FIREWALL_TOOL_TIMEOUT_MS, firewallRunner } from './_run.js';
export type { Runner } from './_run.js';
export type { Reconciled } from './_set-action.js';

export type ReconcilingAction = BanAction & { reconcile(active: readonly BanTicket[]): Promise<Reconciled> };

export type NativeActionKind = ActionKind<ReconcilingAction>;

function services(): string {
  try {
    return readFileSync('/etc/services', 'utf8');
  } catch {
    return '';
  }
}

/** Options resolved for use: the pure checks, then service names looked up. */
function resolve(options: Readonly<Record<string, string>>): Checked<ResolvedSpec> {
  const parsed = parseFirewallOptions(options);
  if (!parsed.ok) return parsed;
  return resolveSpec(parsed.value, parsed.value.ports?.some((p) => 'service' in p) ? services() : '');
}

function specOrThrow(name: string, options: Record<string, string>): ResolvedSpec {
  const spec = resolve(options);
  if (!spec.ok) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `${name}: ${spec.reason}`);
  return spec.value;
}

/** An absolute path for a file an action writes; its directory must exist (the file need not). */
function filePath(options: Readonly<Record<string, string>>, fallback: string): Checked<string> {
  const file = (options['file'] ?? fallback).trim();
  if (!isAbsolute(file) || file.includes('\0')) return { ok: false, reason: `file ${JSON.stringify(file)} is not an absolute path` };
  return existsSync(dirname(file)) ? { ok: true, value: file } : { ok: false, reason: `the directory of ${file} does not exist` };
}

function fileOptions(name: string, options: Readonly<Record<string, string>>, fallback: string): Checked<{ file: string; ipv6prefix: number | null }> {
  const ipv6prefix = parseIpv6Prefix(options['ipv6prefix']);
  if (!ipv6prefix.ok) return { ok: false, reason: `${name}: ${ipv6prefix.reason}` };
  const file = filePath(options, fallback);
  if (!file.ok) return { ok: false, reason: `${name}: ${file.reason}` };
  return { ok: true, value: { file: file.value, ipv6prefix: ipv6prefix.value } };
}

function orThrow<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', checked.reason);
  return checked.value;
}

function nginxOptions(options: Readonly<Record<string, string>>): Checked<{ file: string; reload: string[]; ipv6prefix: number | null }> {
  const file = fileOptions('nginx-deny', options, '/etc/nginx/banward-deny.conf');
  if (!file.ok) return file;
  const reload = parseReload(options['reload']);
  if (!reload.ok) return { ok: false, reason: `nginx-deny: ${reload.reason}` };
  return { ok: true, value: { ...file.value, reload: reload.value } };
}

function firewalldOptions(options: Readonly<Record<string, string>>): Checked<{ zone: string; ipv6prefix: number | null }> {
  const zone = (options['zone'] ?? 'drop').trim();
  if (!ZONE_RE.test(zone)) return { ok: false, reason: `firewalld: zone ${JSON.stringify(zone)} is not a firewalld zone name` };
  const ipv6prefix = parseIpv6Prefix(options['ipv6prefix']);
  return ipv6prefix.ok ? { ok: true, value: { zone, ipv6prefix: ipv6prefix.value } } : { ok: false, reason: `firewalld: ${ipv6prefix.reason}` };
}

function routeOptions(options: Readonly<Record<string, string>>): Checked<{ blocktype: RouteType; ipv6prefix: number | null }> {
  const blocktype = parseRouteType(options['blocktype']);
  const ipv6prefix = parseIpv6Prefix(options['ipv6prefix']);
  if (!blocktype.ok || !ipv6prefix.ok) return { ok: false, reason: `route: ${!blocktype.ok ? blocktype.reason : !ipv6prefix.ok ? ipv6prefix.reason : ''}` };
  return { ok: true, value: { blocktype: blocktype.value, ipv6prefix: ipv6prefix.value } };
}

const CHAIN_RE = /^[A-Za-z][A-Za-z0-9_-]{0,28}$/;

function nftHooks(options: Readonly<Record<string, string>>): Checked<Hook[]> {
  const hooks = parseHooks(options['chain']);
  return hooks ? { ok: true, value: hooks } : { ok: false, reason: `chain must be input, forward or both, not ${JSON.stringify(options['chain'])}` };
}

/** ipset's `chain`: input, forward or both, or (as fail2ban's iptables actions take it) an iptables chain name. */
function iptablesChain(options: Readonly<Record<string, string>>): Checked<{ name: string } | { hooks: Hook[] }> {
  const hooks = parseHooks(options['chain']);
  if (hooks) return { ok: true, value: { hooks } };
  const name = options['chain']!.trim();
  return CHAIN_RE.test(name) ? { ok: true, value: { name } } : { ok: false, reason: `chain ${JSON.stringify(name)} is neither input, forward, both nor an iptables chain name` };
}

export const NATIVE_ACTIONS: Record<string, NativeActionKind> = {
  nftables: {
    async canRun(options) {
      const spec = resolve(options);
      if (!spec.ok) return { ok: false, reason: `nftables: ${spec.reason}` };
      const hooks = nftHooks(options);
      if (!hooks.ok) return { ok: false, reason: `nftables: ${hooks.reason}` };
      return checkTool('nft', ['list', 'tables']);
    },
    create(options, ctx) {
      const hooks = nftHooks(options);
      if (!hooks.ok) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `nftables: ${hooks.reason}`);
      return new NftablesAction({ jail: ctx.jail, spec: specOrThrow('nftables', options), hooks: hooks.value, clock: ctx.clock, log: ctx.log, watch: sharedNftMonitor(ctx.log) });
    },
  },
  ipset: {
    async canRun(options) {
      const spec = resolve(options);
      if (!spec.ok) return { ok: false, reason: `ipset: ${spec.reason}` };
      try {
        multiportList(spec.value);
      } catch (error) {
        return { ok: false, reason: `ipset: ${(error as Error).message}` };
      }
      const chain = iptablesChain(options);
      if (!chain.ok) return { ok: false, reason: `ipset: ${chain.reason}` };
      // The forward hook's chain is resolved when the action starts (DOCKER-USER, else FORWARD).
      const listed = 'name' in chain.value ? [chain.value.name] : chain.value.hooks.map((h) => h.toUpperCase());
      const checks: Array<[string, string[]]> = [['ipset', ['list', '-n']], ...listed.flatMap((c): Array<[string, string[]]> => [['iptables', ['-w', '-S', c]], ['ip6tables', ['-w', '-S', c]]])];
      for (const [tool, args] of checks) {
        const can = await checkTool(tool, args);
        if (!can.ok) return can;
      }
      return { ok: true };
    },
    create(options, ctx) {
      const chain = iptablesChain(options);
      if (!chain.ok) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `ipset: ${chain.reason}`);
      return new IpsetAction({ jail: ctx.jail, spec: specOrThrow('ipset', options), chain: chain.value, clock: ctx.clock, log: ctx.log });
    },
  },
  hostsdeny: {
    canRun(options) {
      const file = fileOptions('hostsdeny', options, '/etc/hosts.deny');
      const daemons = parseDaemonList(options['daemon_list']);
      return Promise.resolve(!file.ok ? file : !daemons.ok ? { ok: false, reason: `hostsdeny: ${daemons.reason}` } : { ok: true });
    },
    create(options, ctx) {
      const file = orThrow(fileOptions('hostsdeny', options, '/etc/hosts.deny'));
      const daemons = parseDaemonList(options['daemon_list']);
      const list = orThrow(daemons.ok ? daemons : { ok: false, reason: `hostsdeny: ${daemons.reason}` });
      return new HostsDenyAction({ jail: ctx.jail, ...file, daemons: list, clock: ctx.clock, log: ctx.log });
    },
  },
  route: {
    async canRun(options) {
      const parsed = routeOptions(options);
      return parsed.ok ? checkTool('ip', ['-j', 'route', 'show', 'proto', ROUTE_PROTO]) : parsed;
    },
    create: (options, ctx) => new RouteAction({ jail: ctx.jail, ...orThrow(routeOptions(options)), clock: ctx.clock, log: ctx.log }),
  },
  'nginx-deny': {
    canRun(options) {
      const parsed = nginxOptions(options);
      if (!parsed.ok) return Promise.resolve(parsed);
      const command = parsed.value.reload[0]!;
      return Promise.resolve(commandFound(command) ? { ok: true } : { ok: false, reason: `nginx-deny: the reload command ${command} is not found` });
    },
    create: (options, ctx) => new NginxDenyAction({ jail: ctx.jail, ...orThrow(nginxOptions(options)), clock: ctx.clock, log: ctx.log }),
  },
  firewalld: {
    async canRun(options) {
      const parsed = firewalldOptions(options);
      return parsed.ok ? checkTool('firewall-cmd', ['--state']) : parsed;
    },
    create: (options, ctx) => new FirewalldAction({ jail: ctx.jail, ...orThrow(firewalldOptions(options)), clock: ctx.clock, log: ctx.log }),
  },
  /**
   * Shorewall compiles its own iptables rules: banward keeps the jail's ipsets (the ipset action's,
   * without its rules) and shorewall's blrules match them (`DROP net:+bw-<jail>-4 all`).
   */
  shorewall: {
    async canRun(options) {
      const spec = resolve(options);
      if (!spec.ok) return { ok: false, reason: `shorewall: ${spec.reason}` };
      for (const [tool, args] of [['ipset', ['list', '-n']], ['shorewall', ['version']]] as const) {
        const can = await checkTool(tool, args);
        if (!can.ok) return can;
      }
      return { ok: true };
    },
    create: (options, ctx) => new IpsetAction({ jail: ctx.jail, name: 'shorewall', spec: specOrThrow('shorewall', options), chain: null, clock: ctx.clock, log: ctx.log }),
  },
};
