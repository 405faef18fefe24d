/**
 * `banward server --dry-run`: every jail runs as compiled, except that its actions are replaced by the
 * `log` action, so banward can run beside fail2ban on the same configuration and logs, deciding and
 * logging its bans without touching the firewall (then `banward migrate --compare` lists the differences).
 */
import { deepFreeze } from '../deep-freeze.js';
import type { ActionPlan, CompiledConfiguration, JailSpec } from './jail-spec.js';

const LOG_ONLY: ActionPlan = { entry: 'log', name: 'log', options: {}, origin: 'native', blocks: false };

export const DRY_RUN_NOTICE = 'dry run (banward server --dry-run): bans are decided and logged, not enforced';

function dryRunJail(spec: JailSpec): JailSpec {
  return {
    ...spec,
    actions: [LOG_ONLY],
    unavailable: [],
    unenforced: DRY_RUN_NOTICE,
    notices: [...spec.notices, `${DRY_RUN_NOTICE}; its actions would be: ${spec.actions.map((a) => a.entry).join(', ') || 'none'}`],
    fingerprint: `${spec.fingerprint}:dry-run`,
  };
}

export function dryRun(config: CompiledConfiguration): CompiledConfiguration {
  return deepFreeze({ ...config, jails: config.jails.map(dryRunJail) });
}
