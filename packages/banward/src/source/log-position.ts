/** Where a log source stopped: a file by offset plus a hash of its first line, or a journal cursor. */
export type LogPosition =
  | { kind: 'file'; offset: number; firstLineHash: string; inode?: number }
  | { kind: 'journal'; cursor: string };

/** Shared by every position store, so a position the memory store refuses is refused by SQLite too. */
export function assertLogPosition(sourceId: string, position: LogPosition): void {
  if (typeof sourceId !== 'string' || sourceId === '') throw new TypeError('sourceId must be a non-empty string');
  if (typeof position !== 'object' || position === null) throw new TypeError('position must be an object');
  if (position.kind === 'file') {
    if (!Number.isSafeInteger(position.offset) || position.offset < 0) {
      throw new TypeError('position.offset must be a non-negative integer');
    }
    if (typeof position.firstLineHash !== 'string') throw new TypeError('position.firstLineHash must be a string');
    if (position.inode !== undefined && (!Number.isSafeInteger(position.inode) || position.inode < 0)) {
      throw new TypeError('position.inode must be a non-negative integer when given');
    }
  } else if (position.kind === 'journal') {
    if (typeof position.cursor !== 'string' || position.cursor === '') throw new TypeError('position.cursor must be a non-empty string');
  } else {
    throw new TypeError(`position.kind must be 'file' or 'journal'`);
  }
}

/** Stores hand out copies in one shape, so callers cannot mutate what is stored. */
export function copyPosition(position: LogPosition): LogPosition {
  if (position.kind === 'journal') return { kind: 'journal', cursor: position.cursor };
  const { offset, firstLineHash, inode } = position;
  return inode === undefined ? { kind: 'file', offset, firstLineHash } : { kind: 'file', offset, firstLineHash, inode };
}
