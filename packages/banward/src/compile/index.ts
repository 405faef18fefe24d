export { compileConfiguration } from './compile-configuration.js';
export { DRY_RUN_NOTICE, dryRun } from './dry-run.js';
export { describeJail, combineProblems, jailInputs } from './describe.js';
export type { ActionPlan, CompiledConfiguration, FilterPlan, JailSpec } from './jail-spec.js';
