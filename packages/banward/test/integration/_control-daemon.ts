import { writeFileSync } from 'node:fs';
import { makeDaemonDirs, startDaemon, type DaemonHarness } from './_daemon.js';

/** A daemon with one report-style jail `web-login` (filter `filter`), for the control-socket tests. */
export function webLoginDirs(filter: string, filters: Record<string, string> = {}): DaemonHarness {
  const h = makeDaemonDirs(`[web-login]
enabled = true
filter = ${filter}
logpath = $DIR/app.log
backend = auto
maxretry = 1000
action = log[path=$DIR/actions.log]
`, filters);
  writeFileSync(h.log, '');
  return h;
}

export async function startWebLoginDaemon(filter: string, filters: Record<string, string> = {}, extra: string[] = []): Promise<DaemonHarness> {
  const h = webLoginDirs(filter, filters);
  await startDaemon(h, extra);
  return h;
}
