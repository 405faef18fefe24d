/** banward's native notification actions: they tell of a ban (mail, an HTTP webhook) and block nobody. */
import type { ActionKind } from '../action-registry.js';
import { mailKind } from './mail-action.js';
import { webhookKind } from './webhook-action.js';

export const NOTIFY_ACTIONS: Readonly<Record<'webhook' | 'mail', ActionKind>> = {
  webhook: webhookKind,
  mail: mailKind,
};

export { MailAction } from './mail-action.js';
export { signBody, WebhookAction } from './webhook-action.js';
