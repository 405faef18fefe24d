import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { parseIp } from '../../net/ip-address.js';
import type { Checked } from '../../result.js';
import { elementKey, type Applied, type ElementDiff } from './_elements.js';
import { failure, firewallRunner, type Runner } from './_run.js';
import { SetAction, untimed } from './_set-action.js';

export type RouteType = 'blackhole' | 'unreachable' | 'prohibit';

/**
 * The routing protocol number banward's routes carry (0x42; free in iproute2's rt_protos): reading and
 * removing only routes of this protocol, banward never touches a route it did not add.
 */
export const ROUTE_PROTO = '66';

/**
 * The jails share the routing table, so each marks its routes with a metric of its own: 0x42 and 24 bits
 * of a hash of its name. Routes to one address with different metrics coexist, so two jails banning it
 * hold a route each, and one jail's reconcile or unban never removes another's.
 */
export function routeMetric(jail: string): number {
  return 0x42000000 + createHash('sha256').update(jail).digest().readUIntBE(0, 3);
}

export interface RouteActionOptions {
  jail: string;
  blocktype: RouteType;
  ipv6prefix: number | null;
  clock: Clock;
  log: Logger;
  run?: Runner;
}

/** `blocktype = blackhole|unreachable|prohibit` (default blackhole: dropped without an answer). */
export function parseRouteType(text: string | undefined): Checked<RouteType> {
  const type = (text ?? 'blackhole').trim().toLowerCase();
  return type === 'blackhole' || type === 'unreachable' || type === 'prohibit'
    ? { ok: true, value: type }
    : { ok: false, reason: `blocktype must be blackhole, unreachable or prohibit, not ${JSON.stringify(text)}` };
}

/** A key as a route's destination: always with its prefix length (`203.0.113.5/32`). */
function destination(key: string, family: 4 | 6): string {
  return key.includes('/') ? key : `${key}/${family === 4 ? 32 : 128}`;
}

/**
 * Bans as routes that go nowhere, for hosts with no packet filter at all: the banned address's packets
 * still arrive, but nothing is ever sent back, so no TCP connection opens. Every change is one
 * `ip -batch -`; routes live in the main table with banward's protocol number, and are read back with
 * `ip -j route show proto 66` (once per family) to reconcile. Routes have no timeout: the daemon lifts
 * bans.
 */
export class RouteAction extends SetAction {
  readonly name = 'route';
  private readonly run: Runner;
  private readonly metric: number;

  constructor(private readonly options: RouteActionOptions) {
    super(untimed(options));
    this.run = options.run ?? firewallRunner();
    this.metric = routeMetric(options.jail);
  }

  protected async read(): Promise<Applied> {
    const applied: Applied = new Map();
    for (const family of [4, 6] as const) {
      const r = await this.run('ip', [`-${family}`, '-j', 'route', 'show', 'proto', ROUTE_PROTO]);
      if (!r.ok) throw failure('ip route show', r);
      for (const route of JSON.parse(r.stdout || '[]') as Array<Record<string, unknown>>) {
        // Only this action's type: a jail whose blocktype changed rewrites its routes.
        if (route['metric'] !== this.metric || typeof route['dst'] !== 'string') continue;
        // Another type (the jail's blocktype changed) is removed, then added as the new one.
        const key = route['type'] === this.options.blocktype ? '' : '!';
        const net = parseIp(route['dst']);
        if (net && net.family === family) applied.set(key + elementKey(net), { family, expires: null });
      }
    }
    return applied;
  }

  /** Keys come from parsed addresses or from `ip`'s own listing checked by parseIp: nothing else reaches the batch. */
  protected async write(diff: ElementDiff): Promise<void> {
    const lines = [
      ...diff.remove.map((r) => `route del ${destination(r.key.replace(/^!/, ''), r.family)} proto ${ROUTE_PROTO} metric ${this.metric}`),
      ...diff.add.map((a) => `route replace ${this.options.blocktype} ${destination(a.key, a.family)} proto ${ROUTE_PROTO} metric ${this.metric}`),
    ];
    const r = await this.run('ip', ['-batch', '-'], lines.join('\n') + '\n');
    if (!r.ok) throw failure(`ip -batch (${diff.add.length} to add, ${diff.remove.length} to remove)`, r);
  }

  protected async empty(): Promise<void> {
    const held = await this.read();
    if (held.size) await this.write({ remove: [...held].map(([key, e]) => ({ key, family: e.family })), add: [], forget: [] });
  }

  protected remove(): Promise<void> {
    return this.empty();
  }

  async check(): Promise<boolean> {
    return (await this.run('ip', ['-4', '-j', 'route', 'show', 'proto', ROUTE_PROTO])).ok;
  }
}
