export { assertLogPosition, copyPosition } from './log-position.js';
export type { LogPosition } from './log-position.js';
export type { LogSource, PositionStore, SourceContext, SourceLine, SourceStats } from './log-source.js';
export { readLines, MAX_LINE_LENGTH } from './line-reader.js';
export { FileSource, parseLogPath, validateFileOptions } from './file-source.js';
export type { FileSourceOptions, LogPathSpec, WatchFunction } from './file-source.js';
export {
  JournalSource, findExecutable, formatJournalEntry, journalctlArgs, journalEntryTime, journalMatchArgs,
  parseJournalLine, validateJournalOptions,
} from './journal-source.js';
export type { JournalEntry, JournalSourceOptions, ValidJournalOptions } from './journal-source.js';
export { BACKEND_NAMES, SOURCE_REGISTRY, canRunSource, createSource, parseBackend } from './source-registry.js';
export type { CanRun, ParsedBackend, SourceFactory, SourceKind, SourceOptions } from './source-registry.js';
