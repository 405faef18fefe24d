import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSchema, type SchemaMigration } from '../decision/index.js';

/** The fleet's own state file beside banward.sqlite3: what the node decided and has not yet published, and where it read to. */
const FLEET_MIGRATIONS: readonly SchemaMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE outbox (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        message TEXT NOT NULL
      );
      CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

export const DEFAULT_OUTBOX_LIMIT = 100_000;

export interface QueuedMessage {
  seq: number;
  message: string;
}

/**
 * The node's fleet journal (SQLite, WAL): the outbox of decisions in order, bounded (the oldest are
 * dropped and counted), and the last stream id applied, so a restart reads on from there.
 */
export class FleetJournal {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string]>;
  readonly #peek: Database.Statement<[number], QueuedMessage>;
  readonly #remove: Database.Statement<[number]>;
  readonly #count: Database.Statement<[], { n: number }>;
  readonly #trim: Database.Statement<[number]>;
  readonly #get: Database.Statement<[string], { value: string }>;
  readonly #set: Database.Statement<[string, string]>;
  readonly #enqueue: Database.Transaction<(messages: readonly string[]) => number>;
  #length: number;

  constructor(path: string, readonly limit = DEFAULT_OUTBOX_LIMIT) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
    }
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrateSchema(db, FLEET_MIGRATIONS);
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO outbox (message) VALUES (?)');
    this.#peek = db.prepare('SELECT seq, message FROM outbox ORDER BY seq LIMIT ?');
    this.#remove = db.prepare('DELETE FROM outbox WHERE seq <= ?');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM outbox');
    this.#trim = db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)');
    this.#get = db.prepare('SELECT value FROM state WHERE key = ?');
    this.#set = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#enqueue = db.transaction((messages: readonly string[]) => {
      for (const m of messages) this.#insert.run(m);
      const over = this.#length + messages.length - this.limit;
      if (over > 0) {
        this.#trim.run(over);
        this.#set.run('outboxDropped', String(this.outboxDropped + over));
      }
      return Math.max(0, over);
    });
    this.#length = this.#count.get()!.n;
  }

  /** Queues messages in order; returns how many of the oldest were dropped to stay within the limit. */
  enqueue(messages: readonly string[]): number {
    if (messages.length === 0) return 0;
    const dropped = this.#enqueue.immediate(messages);
    this.#length = Math.min(this.limit, this.#length + messages.length);
    return dropped;
  }

  /** The oldest `limit` queued messages. */
  peek(limit: number): QueuedMessage[] {
    return this.#peek.all(limit);
  }

  /** Forgets the queued messages up to `seq` (they are published). */
  remove(seq: number): void {
    this.#remove.run(seq);
    this.#length = this.#count.get()!.n;
  }

  get length(): number {
    return this.#length;
  }

  /** Messages dropped from a full outbox, ever. */
  get outboxDropped(): number {
    return Number(this.#get.get('outboxDropped')?.value ?? 0);
  }

  /** The last stream id this node applied; null before the first. */
  get lastId(): string | null {
    return this.#get.get('lastId')?.value ?? null;
  }

  set lastId(id: string) {
    this.#set.run('lastId', id);
  }

  close(): void {
    this.#db.close();
  }
}
