export { compileConfiguration } from './compile-configuration.js';
export { describeJail, combineProblems, jailInputs } from './describe.js';
export type { ActionPlan, CompiledConfiguration, FilterPlan, JailSpec } from './jail-spec.js';
