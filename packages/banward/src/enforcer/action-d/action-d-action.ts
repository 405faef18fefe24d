/**
 * A fail2ban action.d action, run with fail2ban's CommandAction semantics:
 * - actionstart at start, or per family at the first ban of that family when the action is started
 *   on demand (`actionstart_on_demand`, the default when an option depends on the family);
 * - a failed ban/unban runs actioncheck; when that fails too, actionrepair (or stop + start), then the
 *   command is tried once more; an unban does not repair unless `actionrepair_on_unban`;
 * - the same start/stop command is not run twice for two families;
 * - unban only where something was banned; flush with actionflush, or by unbanning each ban when
 *   the action has none; `norestored` actions skip bans re-applied at start;
 * - every command runs under `timeout` and is killed after it. Operations of one action run one at
 *   a time, in order; within one batch of bans (or unbans), up to `concurrency` actionban commands run
 *   at once (banward's option, default 1 as fail2ban): a burst of offenders through an action that
 *   allows it (nft, iptables -w, ipset) is not one process after the other. A failed command's
 *   check-and-repair runs one at a time, so a broken firewall is repaired once, not by every ban.
 */
import { reverse } from 'node:dns/promises';
import { BanwardError } from '../../errors.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { exitText, runScript, type ScriptRunner } from '../../process/index.js';
import type { BanAction, BanTicket } from '../ban-action.js';
import { compileShellTemplate, type ShellTemplate } from './_shell-template.js';
import { localHostNames, operationText, type ActionDefinition, type HostNames, type Operation } from './action-d-reader.js';
import { familyOf, isDynamicTag, renderTemplate, tagValues, unsafePlacements, type ActionDTicket } from './dynamic-tags.js';

export interface ActionDActionOptions {
  definition: ActionDefinition;
  clock: Clock;
  log: Logger;
  hosts?: HostNames;
  run?: ScriptRunner;
  /** `<ip-host>`: the address's reverse DNS name ('' when none). */
  resolveHost?: (ip: string) => Promise<string>;
}

/** Bytes of each output stream kept for the log. */
const OUTPUT_LIMIT = 4096;
const STARTED = 1;
const HAS_ITEMS = 2;
const ALL_FAMILIES = ['', 'inet4', 'inet6'];
const CHECKED_OPERATIONS: readonly Operation[] = [
  'actionstart', 'actionstop', 'actioncheck', 'actionban', 'actionunban', 'actionflush', 'actionreban', 'actionrepair',
];

async function defaultResolveHost(ip: string): Promise<string> {
  const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 5000).unref());
  const names = await Promise.race([reverse(ip).catch(() => [] as string[]), timeout]);
  return names[0] ?? '';
}

/** Problems that make an action unsafe to run (a foreign value where it cannot be passed safely). */
export function actionDProblems(def: ActionDefinition, hosts: HostNames = localHostNames()): string[] {
  const problems: string[] = [];
  for (const op of CHECKED_OPERATIONS) {
    for (const family of ALL_FAMILIES) {
      const template = compileShellTemplate(operationText(def, op, family, hosts), isDynamicTag);
      for (const p of unsafePlacements(template)) {
        const message = `${op}${family ? ` (${family})` : ''}: ${p}`;
        if (!problems.includes(message)) problems.push(message);
      }
    }
  }
  return problems;
}

export class ActionDAction implements BanAction {
  readonly name: string;
  private readonly def: ActionDefinition;
  private readonly hosts: HostNames;
  private readonly run: ScriptRunner;
  private readonly resolveHost: (ip: string) => Promise<string>;
  private readonly templates = new Map<string, ShellTemplate>();
  /** Family → STARTED | HAS_ITEMS, as fail2ban's `__started`. */
  private readonly started = new Map<string, number>();
  /** Operation → family → the command that ran successfully (so another family does not repeat it). */
  private readonly executed = new Map<Operation, Map<string, string>>();
  /** The bans this action holds, for flush without actionflush and for reban. */
  private readonly held = new Map<string, BanTicket>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Families whose on-demand start is running: concurrent bans of a family wait for one start. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Check-and-repair after a failed command, one at a time. */
  private repairs: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ActionDActionOptions) {
    this.def = options.definition;
    this.name = this.def.actname;
    this.hosts = options.hosts ?? localHostNames();
    this.run = options.run ?? runScript;
    this.resolveHost = options.resolveHost ?? defaultResolveHost;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The command as fail2ban compares it between families: static text, with `<family>` filled in. */
  private text(op: Operation, family: string): string {
    const { parts, slots } = this.template(op, family);
    return parts
      .map((p, i) => {
        const tag = slots[i]?.tag;
        return p + (tag === undefined ? '' : tag === 'family' ? family : `<${tag}>`);
      })
      .join('');
  }

  private template(op: Operation, family: string): ShellTemplate {
    const key = `${op}|${family}`;
    let t = this.templates.get(key);
    if (!t) {
      t = compileShellTemplate(operationText(this.def, op, family, this.hosts), isDynamicTag);
      this.templates.set(key, t);
    }
    return t;
  }

  private isEmpty(op: Operation, family: string): boolean {
    const t = this.template(op, family);
    return t.slots.length === 0 && t.parts.join('').trim() === '';
  }

  /** Runs one operation; false when it failed (logged). */
  private async exec(op: Operation, family: string, ticket: BanTicket | null): Promise<boolean> {
    if (this.isEmpty(op, family)) return true;
    const template = this.template(op, family);
    const host = ticket && template.slots.some((s) => s.tag === 'ip-host') ? await this.resolveHost(ticket.ip) : undefined;
    const values = tagValues(ticket, family, this.options.clock(), host);
    const { script, env } = renderTemplate(template, values);
    const result = await this.run(script, { env, timeoutMs: Math.max(0, this.def.timeout) * 1000, maxOutput: OUTPUT_LIMIT });
    if (!result.ok) {
      const output = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join('\n');
      this.options.log.error(`${this.name}: ${op}${ticket ? ` ${ticket.ip}` : ''} failed (${exitText(result)})${output ? `: ${output}` : ''}`);
    }
    return result.ok;
  }

  private executedBy(op: Operation): Map<string, string> {
    let m = this.executed.get(op);
    if (!m) this.executed.set(op, (m = new Map<string, string>()));
    return m;
  }

  private forget(op: Operation, family: string): void {
    const m = this.executedBy(op);
    const cmd = m.get(family);
    m.delete(family);
    if (cmd !== undefined) for (const [f, c] of m) if (c === cmd) m.delete(f);
  }

  /** fail2ban's _executeOperation: the operation for each family, not repeating an identical command. */
  private async operation(op: Operation, families: readonly string[], after?: (family: string, ok: boolean) => void): Promise<void> {
    let ok = true;
    for (const family of families) {
      const key = this.isEmpty(op, family) ? '' : this.text(op, family);
      const others = [...this.executedBy(op)].filter(([f]) => f !== family).map(([, c]) => c);
      const ret = key === '' || others.includes(key) ? true : await this.exec(op, family, null);
      ok &&= ret;
      after?.(family, ret);
      if (ret && key !== '') this.executedBy(op).set(family, key);
      else if (!ret) this.forget(op, family);
    }
    if (!ok) throw new BanwardError('BANWARD_ERR_COMMAND', `action ${this.name}: ${op} failed`);
  }

  private startFamilies(families: readonly string[]): Promise<void> {
    return this.operation('actionstart', families, (family, ok) => {
      if (!ok) return;
      this.forget('actionstop', family);
      this.started.set(family, STARTED);
    });
  }

  private stopFamilies(families: readonly string[]): Promise<void> {
    return this.operation('actionstop', families, (family, ok) => {
      if (ok) this.forget('actionstart', family);
    });
  }

  /** fail2ban's _invariantCheck: 1 sane (maybe after repair), 0 broken, -1 not to be repaired. */
  private async invariantCheck(family: string, repair: boolean, forceStart: boolean): Promise<number> {
    if (!forceStart && family !== '' && !this.started.has(family)) return 1;
    if (await this.exec('actioncheck', family, null)) return 1;
    if (!repair) {
      this.options.log.error(`${this.name}: invariant check failed; unban is impossible`);
      return -1;
    }
    this.options.log.error(`${this.name}: invariant check failed; trying to restore a sane environment`);
    if (!this.isEmpty('actionrepair', family)) {
      if (!(await this.exec('actionrepair', family, null))) {
        this.started.set(family, 0);
        this.options.log.error(`${this.name}: unable to restore environment`);
        return 0;
      }
      this.started.set(family, STARTED);
    } else {
      this.started.set(family, 0);
      await this.stopFamilies([family]).catch(() => undefined);
      if (forceStart || !this.def.startOnDemand) {
        try {
          await this.startFamilies([family]);
        } catch {
          return 0;
        }
      }
    }
    if (this.started.get(family) && !(await this.exec('actioncheck', family, null))) {
      this.options.log.error(`${this.name}: unable to restore environment`);
      return 0;
    }
    return 1;
  }

  /** fail2ban's _processCmd: run, and on failure check, repair and run once more. */
  private async process(op: Operation, ticket: ActionDTicket, family: string): Promise<boolean> {
    if (this.isEmpty(op, family)) return true;
    if (await this.exec(op, family, ticket)) return true;
    const retry = this.repairs.then(async () => {
      if ((this.def.properties['actioncheck'] ?? '').trim() !== '') {
        const unban = op === 'actionunban';
        const sane = await this.invariantCheck(family, !unban || this.def.repairOnUnban, !unban);
        if (sane !== 1) return false;
      }
      return this.exec(op, family, ticket);
    });
    this.repairs = retry.catch(() => undefined);
    return retry;
  }

  /** An on-demand start of `family`, shared by the bans that need it at the same time. */
  private startOnce(family: string): Promise<void> {
    let start = this.starting.get(family);
    if (!start) {
      start = this.startFamilies([family]).finally(() => this.starting.delete(family));
      this.starting.set(family, start);
    }
    return start;
  }

  /** Runs `fn` for each ticket, up to `concurrency` at once; throws naming every address that failed, in batch order. */
  private async each(tickets: readonly ActionDTicket[], fn: (t: ActionDTicket, family: string) => Promise<boolean>, what: string): Promise<void> {
    const failed = new Array<boolean>(tickets.length).fill(false);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < tickets.length; i = next++) {
        const t = tickets[i]!;
        let ok = false;
        try {
          ok = await fn(t, familyOf(t.ip));
        } catch (error) {
          this.options.log.error(`${this.name}: ${what} ${t.ip}: ${error instanceof Error ? error.message : String(error)}`);
        }
        failed[i] = !ok;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.def.concurrency, tickets.length) }, worker));
    const addresses = tickets.filter((_, i) => failed[i]).map((t) => t.ip);
    if (addresses.length > 0) throw new BanwardError('BANWARD_ERR_COMMAND', `action ${this.name}: ${what} failed for ${addresses.join(' ')}`);
  }

  start(): Promise<void> {
    return this.serial(async () => {
      if (!this.def.startOnDemand) await this.startFamilies(this.def.families);
    });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      const families = [...this.started].filter(([, v]) => v).map(([f]) => f);
      this.started.clear();
      this.held.clear();
      if (families.length > 0) await this.stopFamilies(families);
    });
  }

  check(): Promise<boolean> {
    return this.serial(async () => {
      let ok = true;
      for (const [family, flags] of this.started) if (flags) ok = (await this.exec('actioncheck', family, null)) && ok;
      return ok;
    });
  }

  ban(tickets: readonly ActionDTicket[]): Promise<void> {
    return this.serial(() =>
      this.each(tickets, async (t, family) => {
        if (t.restored && this.def.norestored) return true;
        if (this.def.startOnDemand && !this.started.get(family)) await this.startOnce(family);
        const reban = this.held.has(t.ip) && !this.isEmpty('actionreban', family);
        if (!(await this.process(reban ? 'actionreban' : 'actionban', t, family))) return false;
        this.started.set(family, (this.started.get(family) ?? 0) | STARTED | HAS_ITEMS);
        this.held.set(t.ip, t);
        return true;
      }, 'ban'),
    );
  }

  unban(tickets: readonly ActionDTicket[]): Promise<void> {
    return this.serial(() => this.unbanNow(tickets));
  }

  private unbanNow(tickets: readonly ActionDTicket[]): Promise<void> {
    return this.each(tickets, async (t, family) => {
      this.held.delete(t.ip);
      if (!((this.started.get(family) ?? 0) & HAS_ITEMS)) return true;
      return this.process('actionunban', t, family);
    }, 'unban');
  }

  flush(): Promise<void> {
    return this.serial(async () => {
      const families = [...this.started].filter(([, v]) => (v & 3) === 3).map(([f]) => f);
      if (families.length === 0) return;
      if ((this.def.properties['actionflush'] ?? '').trim() === '') {
        await this.unbanNow([...this.held.values()]);
        return;
      }
      await this.operation('actionflush', families, (family, ok) => {
        const flags = this.started.get(family);
        if (ok && flags) this.started.set(family, flags & ~HAS_ITEMS);
      });
      for (const [ip, t] of this.held) if (families.includes(familyOf(t.ip))) this.held.delete(ip);
    });
  }
}
