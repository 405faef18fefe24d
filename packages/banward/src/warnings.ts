import { locate } from './errors.js';

/**
 * The catalogue of banward's warnings: something works but deserves the admin's attention. Codes are
 * stable, never renumbered or reused; docs/errors.md documents every one and a test keeps the two in sync.
 */
export const WARNING_CODES = {
  BANWARD_W_REGEX_BACKTRACK: 'A failregex has a shape that can make matching one line take very long.',
  BANWARD_W_UNUSED_OPTION: 'A jail sets an option that nothing reads (a misspelling?): it has no effect.',
  BANWARD_W_HTTP_REMOTE: 'The HTTP API listens beyond this host without TLS.',
  BANWARD_W_HTTP_UNCOUNTED: 'Failed HTTP API logins are not counted: the jail they are reported into does not run.',
} as const;

export type WarningCode = keyof typeof WARNING_CODES;

export interface BanwardWarning {
  readonly code: WarningCode;
  readonly message: string;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

/** `file:line: message [CODE]`, the form warnings are printed in. */
export function describeWarning(warning: BanwardWarning): string {
  return `${locate(warning, warning.message)} [${warning.code}]`;
}
