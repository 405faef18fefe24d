/** fail2ban-client's layout for status output, so an admin's eyes and greps keep working. */

interface JailStatus {
  jail: string;
  filter: { currentlyFailed: number; totalFailed: number; abandonedLines?: number; files?: string[]; journalMatch?: string[]; reports?: boolean };
  actions: {
    currentlyBanned: number; totalBanned: number; bannedIps: string[]; notEnforced?: string;
    origins?: Record<string, string>; fleetRefused?: number;
  };
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
    ...fleetLines(s.actions),
    `   \`- Banned IP list:\t${s.actions.bannedIps.join(' ')}`,
    '',
  ].join('\n');
}

/** A fleet node's lines of a jail's status: where its fleet bans came from, and what its ignore rules refused. */
function fleetLines(actions: JailStatus['actions']): string[] {
  const origins = Object.entries(actions.origins ?? {}).map(([ip, node]) => `${ip}@${node}`);
  return [
    ...(origins.length ? [`   |- Fleet bans (ip@node):\t${origins.join(' ')}`] : []),
    ...(actions.fleetRefused ? [`   |- Fleet bans refused (ignore rules):\t${actions.fleetRefused}`] : []),
  ];
}

interface FleetReply {
  node: string; redis: string; connected: boolean; error: string | null; queue: number; queueDropped: number; lastId: string | null;
  published: number; received: number; applied: number; duplicates: number; refused: number; ended: number;
  dropped: Record<string, number>;
  nodes: Array<{ node: string; seen: number; lastId: string | null; lagMs: number | null; queue: number }>;
}

export function formatFleet(f: FleetReply): string {
  const dropped = Object.entries(f.dropped).filter(([, n]) => n > 0).map(([why, n]) => `${why} ${n}`).join(', ') || 'none';
  return [
    `Fleet node: ${f.node}`,
    `|- Redis:\t${f.connected ? 'connected' : `not connected (${f.redis}${f.error === null ? '' : `: ${f.error}`})`}`,
    `|- Outbox:\t${f.queue} queued, ${f.queueDropped} dropped when full`,
    `|- Last id:\t${f.lastId ?? 'none'}`,
    `|- Published:\t${f.published}`,
    `|- Received:\t${f.received} (applied ${f.applied}, duplicates ${f.duplicates}, refused ${f.refused}, ended ${f.ended})`,
    `|- Dropped:\t${dropped}`,
    `\`- Nodes seen:\t${f.nodes.length}`,
    ...f.nodes.map((n, i) => `${i === f.nodes.length - 1 ? '   `-' : '   |-'} ${n.node}\tseen ${n.seen}s ago, lag ${n.lagMs === null ? '?' : `${n.lagMs} ms`}, queue ${n.queue}, last id ${n.lastId ?? 'none'}`),
    '',
  ].join('\n');
}

export function formatBanned(result: Array<{ ip: string; jails: string[] }>): string {
  return result.map((r) => `${r.ip}\t${r.jails.join(', ')}\n`).join('');
}
