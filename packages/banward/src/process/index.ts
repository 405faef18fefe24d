export { exitText, runProcess, runScript } from './run-process.js';
export type { ProcessResult, RunOptions, ScriptRunner } from './run-process.js';
export { checkTool, clearToolChecks } from './tool-check.js';
