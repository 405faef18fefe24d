/**
 * fail2ban's action.d actions, as a kind the action registry can create. An action.d action that would place a log-supplied value where no shell
 * quoting can hold it is refused by canRun, with the reason.
 */
import { nodeConfigFs } from '../../config/index.js';
import type { ActionKind } from '../action-registry.js';
import { ActionDAction, actionDProblems } from './action-d-action.js';
import { actionExists, readActionD } from './action-d-reader.js';

/** The kind for `action.d/<name>`, or null when configDir has no such action. */
export function actionDKind(name: string, configDir: string): ActionKind | null {
  if (!/^[\w.-]+$/.test(name) || name.endsWith('.py') || !actionExists(configDir, name, nodeConfigFs)) return null;
  return {
    async canRun(options) {
      try {
        const problems = actionDProblems(readActionD(configDir, name, options, { jail: 'banward-check' }));
        if (problems.length > 0) return { ok: false, reason: `action ${name} is unsafe to run: ${problems.join('; ')}` };
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
    create(options, ctx) {
      const definition = readActionD(configDir, name, options, { jail: ctx.jail, jailOptions: ctx.jailOptions });
      return new ActionDAction({ definition, clock: ctx.clock, log: ctx.log });
    },
  };
}

export { ActionDAction, actionDProblems } from './action-d-action.js';
export type { ActionDActionOptions } from './action-d-action.js';
export { readActionD, operationText, actionExists, ACTION_OPTION_NAMES, OPERATIONS } from './action-d-reader.js';
export type { ActionDefinition, HostNames, Operation, ReadActionContext } from './action-d-reader.js';
export type { ActionDTicket } from './dynamic-tags.js';
