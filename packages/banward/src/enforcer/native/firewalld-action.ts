import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { parseIp } from '../../net/ip-address.js';
import { elementKey, type Applied, type ElementDiff } from './_elements.js';
import { failure, firewallRunner, type Runner } from './_run.js';
import { SetAction, untimed } from './_set-action.js';
import { ipsetNames, type IpsetNames } from './ipset-text.js';

export interface FirewalldActionOptions {
  jail: string;
  /** The zone the sets are sources of; default `drop` (firewalld's zone that drops everything). */
  zone: string;
  ipv6prefix: number | null;
  clock: Clock;
  log: Logger;
  run?: Runner;
}

/** firewalld's zone names: letters, digits, `_` and `-` (it refuses others itself, but nothing else reaches it). */
export const ZONE_RE = /^[A-Za-z0-9_-]{1,17}$/;

/**
 * Bans through firewalld, for hosts where it owns the firewall: two firewalld ipsets per jail
 * (`hash:net`, the ipset action's names) bound as sources of a zone, `drop` by default. A source
 * binding is matched before any interface's zone, so a banned address is dropped on every port and on
 * the forward path too, whatever the other zones allow; `port`/`protocol` do not apply. The ipsets and
 * the binding are permanent (firewalld has no runtime-only ipsets), made once and loaded with one
 * `--reload`; entries are runtime only, added and removed from a file, one `firewall-cmd` per family and
 * direction in a batch, and read back with `--get-entries` to reconcile — a firewalld reload drops them
 * and reconcile puts them back. Entries have no timeout: the daemon lifts bans.
 */
export class FirewalldAction extends SetAction {
  readonly name = 'firewalld';
  private readonly names: IpsetNames;
  private readonly run: Runner;

  constructor(private readonly options: FirewalldActionOptions) {
    super(untimed(options));
    this.names = ipsetNames(options.jail);
    this.run = options.run ?? firewallRunner();
  }

  private sets(): Array<[4 | 6, string]> {
    return [[4, this.names.set4], [6, this.names.set6]];
  }

  private async cmd(args: string[]): Promise<string> {
    const r = await this.run('firewall-cmd', args);
    if (!r.ok) throw failure(`firewall-cmd ${args.join(' ')}`, r);
    return r.stdout;
  }

  private async query(args: string[]): Promise<boolean> {
    return (await this.run('firewall-cmd', args)).ok;
  }

  /** Whether both ipsets exist at runtime and are sources of the zone. */
  private async inPlace(): Promise<boolean> {
    const r = await this.run('firewall-cmd', ['--get-ipsets']);
    if (!r.ok) return false;
    const present = r.stdout.trim().split(/\s+/);
    for (const [, set] of this.sets()) {
      if (!present.includes(set) || !(await this.query([`--zone=${this.options.zone}`, `--query-source=ipset:${set}`]))) return false;
    }
    return true;
  }

  private async setUp(): Promise<void> {
    const permanent = (await this.cmd(['--permanent', '--get-ipsets'])).trim().split(/\s+/);
    for (const [family, set] of this.sets()) {
      if (!permanent.includes(set)) await this.cmd(['--permanent', `--new-ipset=${set}`, '--type=hash:net', `--option=family=${family === 4 ? 'inet' : 'inet6'}`]);
      if (!(await this.query(['--permanent', `--zone=${this.options.zone}`, `--query-source=ipset:${set}`]))) {
        await this.cmd(['--permanent', `--zone=${this.options.zone}`, `--add-source=ipset:${set}`]);
      }
    }
    await this.cmd(['--reload']);
  }

  protected async read(): Promise<Applied> {
    if (!(await this.inPlace())) {
      if (this.applied !== null) this.options.log.warn('firewalld: the ipsets or their zone binding were changed outside banward: restoring them');
      await this.setUp();
    }
    const applied: Applied = new Map();
    for (const [family, set] of this.sets()) {
      for (const entry of (await this.cmd([`--ipset=${set}`, '--get-entries'])).split('\n')) {
        const net = parseIp(entry.trim());
        if (net && net.family === family) applied.set(elementKey(net), { family, expires: null });
      }
    }
    return applied;
  }

  /** Keys come from parsed addresses or from firewalld's own listing checked by parseIp: nothing else reaches the file. */
  protected async write(diff: ElementDiff): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'banward-firewalld-'));
    try {
      for (const [family, set] of this.sets()) {
        for (const [op, keys] of [['remove', diff.remove.filter((r) => r.family === family).map((r) => r.key)], ['add', diff.add.filter((a) => a.family === family).map((a) => a.key)]] as const) {
          if (!keys.length) continue;
          const file = join(dir, `${op}-${family}`);
          writeFileSync(file, keys.join('\n') + '\n', { mode: 0o600 });
          await this.cmd([`--ipset=${set}`, `--${op}-entries-from-file=${file}`]);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  protected async empty(): Promise<void> {
    const held = await this.read();
    await this.write({ remove: [...held].map(([key, e]) => ({ key, family: e.family })), add: [], forget: [] });
  }

  protected async remove(): Promise<void> {
    const permanent = (await this.cmd(['--permanent', '--get-ipsets'])).trim().split(/\s+/);
    for (const [, set] of this.sets()) {
      if (await this.query(['--permanent', `--zone=${this.options.zone}`, `--query-source=ipset:${set}`])) {
        await this.cmd(['--permanent', `--zone=${this.options.zone}`, `--remove-source=ipset:${set}`]);
      }
      if (permanent.includes(set)) await this.cmd(['--permanent', `--delete-ipset=${set}`]);
    }
    await this.cmd(['--reload']);
  }

  check(): Promise<boolean> {
    return this.inPlace();
  }
}
