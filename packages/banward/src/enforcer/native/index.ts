import { readFileSync } from 'node:fs';
import { BanwardError } from '../../errors.js';
import { checkTool } from '../../process/index.js';
import type { Checked } from '../../result.js';
import type { ActionKind } from '../action-registry.js';
import type { BanAction, BanTicket } from '../ban-action.js';
import { parseFirewallOptions, resolveSpec, type ResolvedSpec } from './_options.js';
import type { Reconciled } from './_set-action.js';
import { IpsetAction } from './ipset-action.js';
import { multiportList } from './ipset-text.js';
import { NftablesAction } from './nftables-action.js';

export { IpsetAction } from './ipset-action.js';
export { NftablesAction } from './nftables-action.js';
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

const CHAIN_RE = /^[A-Za-z][A-Za-z0-9_-]{0,28}$/;

export const NATIVE_ACTIONS: Record<string, NativeActionKind> = {
  nftables: {
    async canRun(options) {
      const spec = resolve(options);
      if (!spec.ok) return { ok: false, reason: `nftables: ${spec.reason}` };
      return checkTool('nft', ['list', 'tables']);
    },
    create: (options, ctx) => new NftablesAction({ jail: ctx.jail, spec: specOrThrow('nftables', options), clock: ctx.clock, log: ctx.log }),
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
      const chain = options['chain'] ?? 'INPUT';
      if (!CHAIN_RE.test(chain)) return { ok: false, reason: `ipset: chain ${JSON.stringify(chain)} is not an iptables chain name` };
      for (const [tool, args] of [['ipset', ['list', '-n']], ['iptables', ['-w', '-S', chain]], ['ip6tables', ['-w', '-S', chain]]] as const) {
        const can = await checkTool(tool, args);
        if (!can.ok) return can;
      }
      return { ok: true };
    },
    create(options, ctx) {
      const chain = options['chain'] ?? 'INPUT';
      if (!CHAIN_RE.test(chain)) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `ipset: chain ${JSON.stringify(chain)} is not an iptables chain name`);
      return new IpsetAction({ jail: ctx.jail, spec: specOrThrow('ipset', options), chain, clock: ctx.clock, log: ctx.log });
    },
  },
};
