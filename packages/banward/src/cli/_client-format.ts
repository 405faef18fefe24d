/** fail2ban-client's layout for status output, so an admin's eyes and greps keep working. */

interface JailStatus {
  jail: string;
  filter: { currentlyFailed: number; totalFailed: number; abandonedLines?: number; files?: string[]; journalMatch?: string[]; reports?: boolean };
  actions: { currentlyBanned: number; totalBanned: number; bannedIps: string[]; notEnforced?: string };
}

export function formatStatus(result: { jails: string[] }): string {
  return `Status\n|- Number of jail:\t${result.jails.length}\n\`- Jail list:\t${result.jails.join(', ')}\n`;
}

export function formatJailStatus(s: JailStatus): string {
  const source = s.filter.files
    ? `File list:\t${s.filter.files.join(' ')}`
    : s.filter.journalMatch
      ? `Journal matches:\t${s.filter.journalMatch.join(' ')}`
      : 'Source:\tapplication reports only (no logpath)';
  return [
    `Status for the jail: ${s.jail}`,
    '|- Filter',
    `|  |- Currently failed:\t${s.filter.currentlyFailed}`,
    `|  |- Total failed:\t${s.filter.totalFailed}`,
    `|  |- Abandoned lines:\t${s.filter.abandonedLines ?? 0}`,
    `|  \`- ${source}`,
    '`- Actions',
    ...(s.actions.notEnforced === undefined ? [] : [`   |- Not enforced:\t${s.actions.notEnforced}`]),
    `   |- Currently banned:\t${s.actions.currentlyBanned}`,
    `   |- Total banned:\t${s.actions.totalBanned}`,
    `   \`- Banned IP list:\t${s.actions.bannedIps.join(' ')}`,
    '',
  ].join('\n');
}

export function formatBanned(result: Array<{ ip: string; jails: string[] }>): string {
  return result.map((r) => `${r.ip}\t${r.jails.join(', ')}\n`).join('');
}
