export { Jail } from './jail.js';
export { NO_EVENTS } from './jail-events.js';
export type { JailEvent, JailEventSink, UnbanReason } from './jail-events.js';
export { banCovers, banRefusal, countingKey, coveringBan } from './ban-scope.js';
export type { BantimeRule, FailureTracker, IgnoreCheck, JailParts } from './jail-parts.js';
export {
  BanTimePolicy,
  DEFAULT_BANTIME_FORMULA,
  FORMULA_VARIABLES,
  NO_BANTIME_INCREMENT,
  compileBantimeFormula,
  parseBantimeFactor,
  parseBantimeMultipliers,
} from './ban-time-policy.js';
export type { BanTimeIncrement, NextBantimeInput } from './ban-time-policy.js';
export { FailureCounter, DEFAULT_MAX_TRACKED_IDS } from './failure-counter.js';
export type { FailureCounterOptions, FailureEntry, FailureRecord } from './failure-counter.js';
export { IgnoreList, classifyIgnoreEntry, splitIgnoreWords } from './ignore-list.js';
export type { IgnoreEntry, IgnoreListOptions, IgnoreResult } from './ignore-list.js';
export { parseIgnoreCache } from './_ignore-command.js';
export type { IgnoreCacheSettings } from './_ignore-command.js';
export { checkJailConfig, combineProblems, readJailOptions, splitLogPaths } from './jail-options.js';
export type { JailConfigReport, JailOptions, LogPath, ReadJailOptionsContext } from './jail-options.js';
