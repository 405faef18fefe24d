import { exitText, runProcess, type ProcessResult } from '../../process/index.js';

/** Runs a firewall tool; injected in tests so the generated text and the number of calls can be checked. */
export type Runner = (command: string, args: readonly string[], input?: string) => Promise<ProcessResult>;

/**
 * Restoring 20,000 bans takes nft under half a second: 30 s is room for a loaded host and a large set,
 * and the longest a hung tool (a held xtables lock, a stuck netlink socket) holds its jail. A call that
 * times out fails like any other; the ban stays in the store and reconcile puts it in later.
 */
export const FIREWALL_TOOL_TIMEOUT_MS = 30_000;
/** `nft -j list` of a large set is megabytes; past this the output is cut and the call fails. */
const FIREWALL_MAX_OUTPUT = 64 * 1024 * 1024;

/** The runner the firewall actions use, with its own timeout (tests shorten it). */
export function firewallRunner(timeoutMs = FIREWALL_TOOL_TIMEOUT_MS): Runner {
  return async (command, args, input) => {
    const r = await runProcess(command, args, { timeoutMs, maxOutput: FIREWALL_MAX_OUTPUT, ...(input !== undefined ? { input } : {}) });
    // A cut `nft -j list` must never be read as the sets' contents.
    return r.truncated ? { ...r, ok: false, reason: r.reason ?? `${command} wrote more than ${FIREWALL_MAX_OUTPUT} bytes` } : r;
  };
}

/** A failed tool run; `timedOut` tells the caller not to try again at once (it would hang as long). */
export class ToolFailure extends Error {
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
  }
}

/** One message for a failed tool run, with its first error lines (nft's point at the offending text). */
export function failure(what: string, r: ProcessResult): ToolFailure {
  const detail = r.stderr.trim().split('\n').slice(0, 6).join('\n');
  return new ToolFailure(`${what} failed (${exitText(r)})${detail ? `: ${detail}` : ''}`, r.timedOut);
}
