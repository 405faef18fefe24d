/**
 * Whether a tool runs here with our privileges (`nft list tables`, `ipset list -n`). Every jail that
 * uses nftables asks the same question at start and on reload: it is asked once, without blocking
 * the daemon, and the answer kept until clearToolChecks() (reload calls it, so a tool installed since
 * is seen).
 */
import type { CanRun } from '../result.js';
import { exitText, runProcess } from './run-process.js';

const TOOL_CHECK_TIMEOUT_MS = 5000;
const checks = new Map<string, Promise<CanRun>>();

async function probe(command: string, args: readonly string[]): Promise<CanRun> {
  const r = await runProcess(command, args, { timeoutMs: TOOL_CHECK_TIMEOUT_MS, maxOutput: 4096 });
  if (r.ok) return { ok: true };
  if (!r.started && r.code === 127) return { ok: false, reason: `${command} cannot run: not installed` };
  const detail = r.stderr.trim().split('\n')[0] ?? '';
  if (!r.started) return { ok: false, reason: exitText(r) };
  return { ok: false, reason: `${[command, ...args].join(' ')} failed (${exitText(r)})${detail ? `: ${detail}` : ''}` };
}

export function checkTool(command: string, args: readonly string[]): Promise<CanRun> {
  const key = JSON.stringify([command, ...args]);
  let check = checks.get(key);
  if (!check) {
    check = probe(command, args);
    checks.set(key, check);
  }
  return check;
}

/** Forgets every answer: the next check runs the tool again. */
export function clearToolChecks(): void {
  checks.clear();
}
