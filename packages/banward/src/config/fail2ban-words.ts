/**
 * The words fail2ban's configuration accepts for booleans and for usedns: one list each, so the jail
 * reader, the filter reader, the action.d reader and `banward regex` all accept the same spellings.
 */

/** fail2ban's true and false spellings (compared lower-cased). */
export const TRUE_WORDS: readonly string[] = ['1', 'yes', 'true', 'on'];
export const FALSE_WORDS: readonly string[] = ['0', 'no', 'false', 'off'];

/** true or false for one of the words above (any case, spaces around ignored); undefined for anything else. */
export function parseBooleanWord(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}

/** How `<HOST>` treats host names: resolve them (yes, warn), keep only addresses (no), or the raw text (raw). */
export const USEDNS_WORDS = ['yes', 'warn', 'no', 'raw'] as const;
export type UseDns = (typeof USEDNS_WORDS)[number];

export function isUseDns(word: string): word is UseDns {
  return (USEDNS_WORDS as readonly string[]).includes(word);
}
