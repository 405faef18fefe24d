import type { Clock } from '../clock.js';
import type { LogPosition } from './log-position.js';
import type { Logger } from '../log/logger.js';

/** A line read from a log source. Journal lines carry their own time; file lines are dated by the filter. */
export interface SourceLine {
  text: string;
  /** The file path (or `journal`) it came from. */
  origin: string;
  /** Epoch seconds, when the source knows it (journal). */
  time?: number;
  /**
   * Read while catching up on what the log held at start (fail2ban's "not in operation"): such a
   * line older than findtime is dropped, where a live line with an odd time counts as now.
   */
  backlog?: boolean;
}

export interface PositionStore {
  getPosition(sourceId: string): LogPosition | undefined;
  setPosition(sourceId: string, position: LogPosition): void;
}

export interface SourceContext {
  /**
   * Delivers lines in order; called synchronously, in batches. A promise back means the consumer has
   * enough lines in flight: read no more until it resolves.
   */
  onLines(lines: readonly SourceLine[]): void | Promise<void>;
  /** Resolves once every line delivered so far is counted; a position is saved only then. */
  settled?(): Promise<void>;
  positions: PositionStore;
  clock: Clock;
  log: Logger;
}

/** What a source has read, for the metrics. */
export interface SourceStats {
  /** Lines delivered since the source was built. */
  linesRead: number;
  /** Each file followed: the bytes between the read position and its end (a journal has none). */
  lag: { file: string; bytes: number }[];
}

/** A running source of log lines (files matching globs, the journal). */
export interface LogSource {
  /** Stable id, used as the key of its saved positions (e.g. `sshd:file`). */
  readonly id: string;
  /** Human description for `status` (paths watched, or the journal match). */
  describe(): string[];
  /** Counted per batch of lines; the lag is measured now (one fstat per file). */
  stats(): SourceStats;
  start(): Promise<void>;
  stop(): Promise<void>;
}
