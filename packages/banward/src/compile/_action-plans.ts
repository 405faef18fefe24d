/**
 * A jail's `action` entries, found and checked: a name that is neither an action.d file nor a native
 * action is a problem at the line that wrote it; one that exists but cannot run here (tool missing,
 * unsafe, a Python action) is recorded as unavailable, so the jail says what it will not enforce.
 */
import { parseInlineOptions } from '../config/index.js';
import { BanwardError, isBanwardError, type ErrorLocation } from '../errors.js';
import { readActionD, type ActionDefinition } from '../enforcer/action-d/index.js';
import { findAction, NATIVE_ACTION_NAMES } from '../enforcer/action-registry.js';
import type { JailOptions } from '../jail/index.js';
import type { ActionPlan } from './jail-spec.js';

export interface ActionsChecked {
  plans: ActionPlan[];
  unavailable: string[];
  problems: BanwardError[];
  /** Every action.d file read (for the reload fingerprint). */
  files: string[];
}

function where(options: JailOptions): ErrorLocation {
  return options.locations[options.actionDefaulted ? 'banaction' : 'action'] ?? {};
}

export async function planActions(options: JailOptions, configDir: string): Promise<ActionsChecked> {
  const out: ActionsChecked = { plans: [], unavailable: [], problems: [], files: [] };
  for (const entry of options.action) {
    const parsed = parseInlineOptions(entry);
    const name = parsed.name.trim();
    if (name.endsWith('.py')) {
      out.unavailable.push(`action ${name}: fail2ban's Python actions do not run in banward`);
      continue;
    }
    const found = findAction(name, configDir);
    if (!found) {
      out.problems.push(new BanwardError('BANWARD_ERR_CONFIG_VALUE',
        `[${options.name}] action: no action "${name}": no action.d/${name}.conf in ${configDir} and no native action of that name (${NATIVE_ACTION_NAMES.join(', ')})`, where(options)));
      continue;
    }
    let definition: ActionDefinition | undefined;
    if (found.origin === 'action.d') {
      try {
        definition = readActionD(configDir, name, parsed.options, { jail: options.name, jailOptions: options.options });
        out.files.push(...definition.files);
      } catch (error) {
        if (!isBanwardError(error)) throw error;
        out.problems.push(error.file ? error : new BanwardError(error.code, `[${options.name}] action ${name}: ${error.message}`, where(options)));
        continue;
      }
    }
    const can = await found.kind.canRun(parsed.options);
    if (can.ok) out.plans.push({ entry, name, options: parsed.options, origin: found.origin, blocks: found.blocks, ...(definition ? { definition } : {}) });
    else out.unavailable.push(can.reason);
  }
  return out;
}
