import type { Parameters } from 'fast-check';

/**
 * How long each property of the fuzz suites may run. `npm test` gives each a short budget so the suite
 * stays quick; `npm run fuzz` sets BANWARD_FUZZ_SECONDS to search far longer. Either way a property stops
 * at its budget, not at a fixed number of runs, and a failure prints fast-check's seed and path to replay.
 */
export function fuzzBudget<T>(overrides: Parameters<T> = {}): Parameters<T> {
  const seconds = Number(process.env['BANWARD_FUZZ_SECONDS'] ?? '3');
  const budgetMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3000;
  return { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false, ...overrides };
}

/** The budget in milliseconds, for fuzz loops that are not fast-check properties (connections, processes). */
export function fuzzBudgetMs(): number {
  return (fuzzBudget().interruptAfterTimeLimit as number);
}
