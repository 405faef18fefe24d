/**
 * An action from `action.d`, read as fail2ban's client reads it for a jail and then resolved as its
 * server's CommandAction resolves it: the options the client sends (`[Definition]` commands with
 * `<tag>`s substituted, plus every `[Init]` option raw), and from those, per address family, the
 * command text of each operation with only the per-ticket tags (`<ip>`, `<matches>`, …) left.
 *
 * The jail's inline options (`iptables-multiport[name=SSH, port=ssh]`) override `[Init]`; the jail's
 * own options are visible to `%(x)s` in `[Definition]`. `name` defaults to the jail's name.
 */
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { BanwardError } from '../../errors.js';
import {
  combineDefinition,
  getOption,
  loadConfigStack,
  nodeConfigFs,
  ownOptionNames,
  parseTimeValue,
  substituteTags,
  MAX_TAG_REPLACE_COUNT,
  TracedText,
  TRUE_WORDS,
  type ConfigFs,
  type OptionInput,
} from '../../config/index.js';

/** The `[Definition]` options fail2ban's client sends for an action. */
export const ACTION_OPTION_NAMES = [
  'actionstart', 'actionstart_on_demand', 'actionstop', 'actionflush', 'actionreload', 'actioncheck',
  'actionrepair', 'actionrepair_on_unban', 'actionban', 'actionprolong', 'actionreban', 'actionunban',
  'norestored',
] as const;

export const OPERATIONS = [
  'actionstart', 'actionstop', 'actioncheck', 'actionban', 'actionunban', 'actionflush', 'actionreban',
  'actionrepair', 'actionprolong', 'actionreload',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Tags the client leaves for the server (their values arrive per ticket). */
const ESCAPED_TAGS = ['matches', 'ipmatches', 'ipjailmatches'];
const CONDITIONAL_FAMILY_RE = /^(\w+)\?(family)=(.*)$/;
const TAG_RE = /<([^ <>]+)>/g;
const DEFAULT_TIMEOUT = 60;

export interface ActionDefinition {
  /** The file name without extension, e.g. `iptables-multiport`. */
  name: string;
  /** fail2ban's unique name of the action within its jail. */
  actname: string;
  files: string[];
  /** What fail2ban's client hands its server for this action. */
  properties: Record<string, string>;
  /** `['inet4', 'inet6']` when some option depends on the family, else `['']`. */
  families: string[];
  startOnDemand: boolean;
  norestored: boolean;
  repairOnUnban: boolean;
  /** Seconds each command may run. */
  timeout: number;
  /** How many actionban (or actionunban) commands of one batch may run at once (`concurrency`, banward's; default 1, fail2ban's order). */
  concurrency: number;
}

export interface ReadActionContext {
  jail: string;
  /** The jail's own options (fail2ban's "pOpts"). */
  jailOptions?: Readonly<Record<string, OptionInput>>;
  fs?: ConfigFs;
  /** Whether this host has IPv6 (the families of an action that depends on it); default: detected. */
  ipv6?: boolean;
}

/** fail2ban asks whether any address of this host is IPv6; the interfaces tell the same. */
export function hostHasIpv6(): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.family === 'IPv6'));
}

function asBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return TRUE_WORDS.includes(value.toLowerCase());
}

/** Whether `configDir` has an action of this name (`.conf`, `.local` or `.d/`). */
export function actionExists(configDir: string, name: string, fs: ConfigFs = nodeConfigFs): boolean {
  return loadConfigStack(configDir, join('action.d', name), fs) !== undefined;
}

export function readActionD(
  configDir: string,
  name: string,
  inline: Readonly<Record<string, string>>,
  context: ReadActionContext,
): ActionDefinition {
  const fs = context.fs ?? nodeConfigFs;
  if (name.endsWith('.py')) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `action ${name}: Python actions cannot run in banward`);
  }
  const stack = loadConfigStack(configDir, join('action.d', name), fs);
  if (!stack) {
    const base = join(configDir, 'action.d', name);
    throw new BanwardError('BANWARD_ERR_CONFIG_REFERENCE', `no action "${name}": none of ${base}.conf, ${base}.local, ${base}.d/ exists`);
  }
  const init: Record<string, string> = { ...inline };
  const jailName = context.jail;
  init['name'] ??= jailName;
  if (init['actname'] === undefined) {
    const n = init['name'];
    init['actname'] = n === jailName ? name : name + (n.startsWith(jailName) ? n.slice(jailName.length) : `-${n}`);
  }
  const combined = combineDefinition(stack, {
    wanted: ACTION_OPTION_NAMES,
    initOptions: init,
    vars: { ...context.jailOptions },
    ignoreTags: [...ESCAPED_TAGS, 'timeout', 'bantime', 'concurrency'],
  });
  // The client sends [Init] options raw: the server substitutes them, per family.
  const raw: Record<string, string> = { ...init };
  if (stack.sections.has('Init')) {
    for (const opt of ownOptionNames(stack, 'Init')) {
      if (opt.startsWith('known/') || opt in raw) continue;
      raw[opt] = getOption(stack, 'Init', opt)?.value.text ?? '';
    }
  }
  const properties: Record<string, string> = {};
  const configOpts: readonly string[] = ACTION_OPTION_NAMES;
  for (const opt of ACTION_OPTION_NAMES) {
    const v = combined.get(opt);
    if (v !== undefined) properties[opt] = v.text;
  }
  for (const [k, v] of Object.entries(raw)) if (!configOpts.includes(k)) properties[k] = v;
  // The server's CommandAction starts with every operation empty.
  for (const op of OPERATIONS) if (op !== 'actionprolong') properties[op] ??= '';

  const hasCond = Object.keys(properties).some((k) => CONDITIONAL_FAMILY_RE.test(k));
  const families = properties['families']?.split(/[\s,]+/).filter(Boolean) ?? (hasCond ? ((context.ipv6 ?? hostHasIpv6()) ? ['inet4', 'inet6'] : ['inet4']) : ['']);
  let timeout = DEFAULT_TIMEOUT;
  if (properties['timeout'] !== undefined) timeout = parseTimeValue(properties['timeout'], { option: 'timeout' });
  return {
    concurrency: parseConcurrency(name, properties['concurrency']),
    name,
    actname: init['actname'],
    files: stack.files,
    properties,
    families,
    startOnDemand: asBool(properties['actionstart_on_demand']) ?? hasCond,
    norestored: asBool(properties['norestored']) ?? false,
    repairOnUnban: asBool(properties['actionrepair_on_unban']) ?? false,
    timeout,
  };
}

/** The most commands of one batch banward runs at once, whatever an action asks. */
export const MAX_ACTION_CONCURRENCY = 64;

function parseConcurrency(action: string, text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 1;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 1 || value > MAX_ACTION_CONCURRENCY) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `action ${action}: concurrency must be a whole number from 1 to ${MAX_ACTION_CONCURRENCY}, not ${JSON.stringify(text)}`);
  }
  return value;
}

export interface HostNames {
  /** `<fq-hostname>`. */
  fq: string;
  /** `<sh-hostname>`. */
  sh: string;
}

export function localHostNames(): HostNames {
  const sh = hostname();
  return { fq: sh, sh };
}

/**
 * The command of `operation` for `family` ('' when the action does not depend on it), with every
 * static tag substituted as fail2ban's CommandAction.replaceTag does; per-ticket tags stay as `<tag>`.
 */
export function operationText(def: ActionDefinition, operation: Operation, family: string, hosts: HostNames): string {
  const conditional = family ? `family=${family}` : undefined;
  const props = new Map(Object.entries(def.properties).map(([k, v]) => [k, TracedText.of(v)]));
  const sub = substituteTags(props, { ignore: ESCAPED_TAGS, ...(conditional ? { conditional } : {}) });
  const extra: Record<string, string> = { br: '\n', sp: ' ', 'fq-hostname': hosts.fq, 'sh-hostname': hosts.sh };
  const lookup = (tag: string): string | undefined =>
    (conditional ? sub.get(`${tag}?${conditional}`)?.text : undefined) ?? sub.get(tag)?.text ?? extra[tag];
  let query = `<${operation}>`;
  for (let n = 0; n <= MAX_TAG_REPLACE_COUNT; n++) {
    const value = query.replace(TAG_RE, (whole, tag: string) => lookup(tag) ?? whole);
    if (value === query || !value.includes('<')) return value;
    query = value;
  }
  throw new BanwardError('BANWARD_ERR_CONFIG_RECURSION', `action ${def.name}: <${operation}> does not finish substituting`);
}
