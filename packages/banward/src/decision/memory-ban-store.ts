import type { BanRecord, BanStore } from './ban-store.js';
import { assertLogPosition, copyPosition, type LogPosition } from '../source/index.js';
import { assertBanRecord, copyBan, isExpired } from './_records.js';

interface StoredBan {
  ban: BanRecord;
  active: boolean;
  /** Insertion order, the tie-break SQLite gets from its rowid. */
  seq: number;
}

/** The decision store in memory: same behaviour as SqliteBanStore (one contract suite), nothing survives. */
export class MemoryBanStore implements BanStore {
  #rows: StoredBan[] = [];
  #positions = new Map<string, LogPosition>();
  #nextSeq = 1;
  #closed = false;

  addBan(ban: BanRecord): void {
    this.addBans([ban]);
  }

  addBans(bans: readonly BanRecord[]): void {
    this.#assertOpen();
    // Everything is checked before anything changes: the batch is all or nothing, as in a transaction.
    for (const ban of bans) assertBanRecord(ban);
    for (const ban of bans) {
      this.#rows = this.#rows.filter((row) => !(row.active && row.ban.jail === ban.jail && row.ban.ip === ban.ip));
      this.#rows.push({ ban: copyBan(ban), active: true, seq: this.#nextSeq++ });
    }
  }

  addHistory(bans: readonly BanRecord[]): number {
    this.#assertOpen();
    for (const ban of bans) assertBanRecord(ban);
    let added = 0;
    for (const ban of bans) {
      const same = (row: StoredBan) => row.ban.jail === ban.jail && row.ban.ip === ban.ip && row.ban.time === ban.time && row.ban.bantime === ban.bantime;
      if (this.#rows.some(same)) continue;
      this.#rows.push({ ban: copyBan(ban), active: false, seq: this.#nextSeq++ });
      added++;
    }
    return added;
  }

  removeBan(jail: string, ip: string): boolean {
    const row = this.#activeRow(jail, ip);
    if (!row) return false;
    row.active = false;
    return true;
  }

  removeBans(jail: string, ips: readonly string[]): string[] {
    return ips.filter((ip) => this.removeBan(jail, ip));
  }

  getBan(jail: string, ip: string): BanRecord | undefined {
    const row = this.#activeRow(jail, ip);
    return row && copyBan(row.ban);
  }

  activeBans(jail?: string): BanRecord[] {
    this.#assertOpen();
    return this.#rows
      .filter((row) => row.active && (jail === undefined || row.ban.jail === jail))
      .sort((a, b) => a.ban.time - b.ban.time || a.seq - b.seq)
      .map((row) => copyBan(row.ban));
  }

  expiredBans(now: number): BanRecord[] {
    this.#assertOpen();
    const expiry = (row: StoredBan): number => row.ban.time + row.ban.bantime;
    return this.#rows
      .filter((row) => row.active && isExpired(row.ban, now))
      .sort((a, b) => expiry(a) - expiry(b) || a.seq - b.seq)
      .map((row) => copyBan(row.ban));
  }

  banCounts(ips: readonly string[], jail?: string): Map<string, number> {
    this.#assertOpen();
    const wanted = new Set(ips);
    const counts = new Map<string, number>();
    for (const { ban } of this.#rows) {
      if (wanted.has(ban.ip) && (jail === undefined || ban.jail === jail)) counts.set(ban.ip, (counts.get(ban.ip) ?? 0) + 1);
    }
    return counts;
  }

  purgeHistory(before: number): number {
    this.#assertOpen();
    const kept = this.#rows.filter((row) => row.active || row.ban.time >= before);
    const purged = this.#rows.length - kept.length;
    this.#rows = kept;
    return purged;
  }

  getPosition(sourceId: string): LogPosition | undefined {
    this.#assertOpen();
    const position = this.#positions.get(sourceId);
    return position && copyPosition(position);
  }

  setPosition(sourceId: string, position: LogPosition): void {
    this.#assertOpen();
    assertLogPosition(sourceId, position);
    this.#positions.set(sourceId, copyPosition(position));
  }

  close(): void {
    this.#closed = true;
  }

  #activeRow(jail: string, ip: string): StoredBan | undefined {
    this.#assertOpen();
    return this.#rows.find((row) => row.active && row.ban.jail === jail && row.ban.ip === ip);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('MemoryBanStore is closed');
  }
}
