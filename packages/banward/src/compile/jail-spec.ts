import type { DaemonSettings } from '../daemon/daemon-settings.js';
import type { ActionDefinition } from '../enforcer/action-d/index.js';
import type { BanwardError } from '../errors.js';
import type { FilterSpec, RegexKind } from '../filter/filter.js';
import type { JailOptions } from '../jail/index.js';
import type { BanwardWarning } from '../warnings.js';

/** A jail's filter, compiled once: the spec that crosses to its worker and the regexes a stuck line is reported by. */
export interface FilterPlan {
  /** The filter's name, or null when the jail's own failregex is all it has. */
  name: string | null;
  spec: FilterSpec;
  regexes: Readonly<Record<RegexKind, readonly string[]>>;
  journalmatch: readonly (readonly string[])[];
  /** The final `[Definition]` values, for dump-config and the fingerprint. */
  definition: Readonly<Record<string, string>>;
}

/** One `action` entry, found and checked: the builder only creates it. */
export interface ActionPlan {
  /** As written: `nftables[port="ssh", protocol="tcp"]`. */
  entry: string;
  name: string;
  options: Readonly<Record<string, string>>;
  /** `action.d/<name>` from the configuration, or one of banward's native actions. */
  origin: 'action.d' | 'native';
  /** False for actions that record or tell of a ban without blocking the address (log, mail, webhook). */
  blocks: boolean;
  /** An action.d action's commands as compiled: a rebuilt jail runs these, whatever the file says now. */
  definition?: ActionDefinition;
}

/** What the daemon will run for one enabled jail; nothing in it is checked again. */
export interface JailSpec {
  name: string;
  options: JailOptions;
  /** The backend the jail reads with (`backend = auto` may become the journal here). */
  backend: string;
  filter: FilterPlan | null;
  /** The actions that will run; those that cannot are in `unavailable`. */
  actions: readonly ActionPlan[];
  unavailable: readonly string[];
  /** Why its bans block nobody, or null when they are enforced. */
  unenforced: string | null;
  /** What the log says when the jail starts: choices made for it and what will not work. */
  notices: readonly string[];
  warnings: readonly string[];
  /** Milliseconds a line may hold the filter (linetimeout); 0 matches on the daemon's thread. */
  lineTimeout: number;
  /** Changes when anything the spec came from changes, every file read included (reload compares it). */
  fingerprint: string;
}

export interface CompiledConfiguration {
  settings: DaemonSettings;
  jails: readonly JailSpec[];
  /** Any one refuses the configuration (start, reload and test-config alike), each with file:line. */
  problems: readonly BanwardError[];
  /** Said once, not fatal: options nothing reads, regexes that may backtrack. */
  warnings: readonly BanwardWarning[];
}
