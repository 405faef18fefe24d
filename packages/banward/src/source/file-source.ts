import { existsSync, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FdReader } from './_fd-reader.js';
import { validateFileOptions, type FileSourceOptions, type ValidFileOptions } from './_file-options.js';
import { FileTail, type TailHooks } from './_file-tail.js';
import { expandGlob, staticDir } from './_glob.js';
import { PositionSaver } from './_position-saver.js';
import type { LogSource, SourceContext, SourceLine, SourceStats } from './log-source.js';

export type { FileSourceOptions, LogPathSpec, WatchFunction } from './_file-options.js';
export { parseLogPath, validateFileOptions } from './_file-options.js';

/**
 * Bytes read from one file per turn; a large backlog is read over several turns of the event loop. About
 * two of the matcher's batches: with its backpressure, a burst is never all in memory at once as lines,
 * messages to the worker and failures back (a 5 MB burst read whole took the daemon's peak to 250 MB;
 * lines in flight live long enough to be promoted, so fewer of them is a smaller heap, no slower).
 */
const BYTES_PER_TURN = 96 * 1024;
/** Milliseconds a burst of inotify events is gathered into one check. */
const EVENT_DELAY = 10;

interface Retired {
  reader: FdReader;
  path: string;
  lastGrowth: number;
  lastOffset: number;
}

/**
 * Follows the files that `logpath` names (paths and globs): inotify on their directories, a polling
 * check beside it as a safety net (or alone, for `backend = polling`), rotation by rename and by
 * copytruncate, positions saved so a restart resumes where it stopped.
 */
export class FileSource implements LogSource {
  readonly id: string;
  private readonly options: ValidFileOptions;
  private readonly tails = new Map<string, FileTail>();
  private retired: Retired[] = [];
  private readonly watchers = new Map<string, FSWatcher>();
  /** When an inotify event last made us read (performance.now()). */
  private lastEventTick = -Infinity;
  /** Watched ancestors of directories that do not exist yet. */
  private readonly standIns = new Set<string>();
  /** Globs that match no file now. */
  private readonly unmatched = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly saver: PositionSaver;
  private readonly hooks: TailHooks;
  private timers: NodeJS.Timeout[] = [];
  private scheduled: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private globDirty = false;
  /** The consumer's backpressure: no reading until it resolves. */
  private waitingFor: Promise<void> | null = null;
  /** Directories where a glob's new matches appear. */
  private readonly globDirs: ReadonlySet<string>;
  private running = false;
  private linesRead = 0;

  constructor(options: FileSourceOptions, private readonly ctx: SourceContext) {
    const valid = validateFileOptions(options);
    if (!valid.ok) throw new TypeError(`file source ${options.id}: ${valid.reason}`);
    this.options = valid.value;
    this.id = valid.value.id;
    this.globDirs = new Set(valid.value.patterns.filter((p) => p.glob).map((p) => staticDir(p.pattern)));
    this.saver = new PositionSaver(ctx.positions, valid.value.saveInterval, ctx.settled?.bind(ctx));
    this.hooks = {
      log: ctx.log,
      decoder: new TextDecoder(valid.value.encoding),
      retire: (reader, path) => this.retired.push({ reader, path, lastGrowth: performance.now(), lastOffset: reader.readOffset }),
      adopt: (ino, dev) => {
        const i = this.retired.findIndex((r) => r.reader.ino === ino && r.reader.dev === dev);
        return i < 0 ? undefined : this.retired.splice(i, 1)[0]!.reader;
      },
    };
  }

  describe(): string[] {
    const waiting = [...this.tails.values()].filter((t) => t.waiting).map((t) => t.path);
    const files = [...this.tails.keys()].filter((p) => !waiting.includes(p));
    return [...files, ...[...waiting, ...this.unmatched].map((p) => `${p} (no file yet)`)];
  }

  stats(): SourceStats {
    const lag = [...this.tails.values()].filter((t) => !t.waiting).map((t) => ({ file: t.path, bytes: t.lagBytes() }));
    return { linesRead: this.linesRead, lag };
  }

  /** The files being followed now (glob matches included). */
  files(): string[] {
    return [...this.tails.keys()];
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.expand(true);
    this.tick();
    // Files missing at start are new when they appear: read them whole, whatever head/tail said, as live lines.
    for (const tail of this.tails.values()) {
      tail.startMode = 'head';
      tail.openedAtStart = false;
    }
    const o = this.options;
    // Each periodic check also re-expands the globs: the safety net for missed directory events.
    this.every(o.watch ? o.safetyInterval : o.pollInterval, () => { this.globDirty = true; this.tick(); });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.scheduled) clearTimeout(this.scheduled);
    if (this.immediate) clearImmediate(this.immediate);
    this.scheduled = null;
    this.immediate = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.drainRetired(true);
    for (const tail of this.tails.values()) this.saver.mark(this.key(tail.path), () => tail.position());
    const saved = this.saver.flush();
    for (const tail of this.tails.values()) tail.close();
    this.tails.clear();
    await saved;
  }

  private every(ms: number, run: () => void): void {
    const t = setInterval(run, ms);
    t.unref();
    this.timers.push(t);
  }

  private key(path: string): string {
    return `${this.id}:${path}`;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.ctx.log.warn(message);
  }

  /** (Re)expands the patterns: new matches are followed, files no longer matched are dropped. */
  private expand(initial: boolean): void {
    const seen = new Set<string>();
    for (const p of this.options.patterns) {
      const matches = p.glob ? expandGlob(p.pattern) : [p.pattern];
      if (matches.length === 0) {
        this.unmatched.add(p.pattern);
        this.warnOnce(p.pattern, `No file matches ${p.pattern} yet; waiting for one`);
      } else this.unmatched.delete(p.pattern);
      for (const path of matches) {
        seen.add(path);
        if (this.tails.has(path)) continue;
        const saved = this.ctx.positions.getPosition(this.key(path));
        const tail = new FileTail(path, initial ? p.start : 'head', saved, this.hooks);
        tail.openedAtStart = initial;
        this.tails.set(path, tail);
        if (!initial) this.ctx.log.info(`Added logfile: ${path}`);
      }
    }
    for (const [path, tail] of this.tails) {
      if (seen.has(path)) continue;
      // A matched file that went away: its reader (if open) is retired so late writes still arrive.
      const position = tail.position();
      if (position) this.ctx.positions.setPosition(this.key(path), position);
      this.deliver(path, tail.detach());
      this.tails.delete(path);
      this.ctx.log.info(`Removed logfile: ${path}`);
    }
    this.watchDirectories();
  }

  /**
   * Watches the directories of the files and of the globs. A directory that does not exist yet is
   * stood in for by its nearest existing ancestor, whose every event re-expands the globs.
   */
  private watchDirectories(): void {
    const watch = this.options.watch;
    if (!watch) return;
    const dirs = new Set<string>(this.options.patterns.map((p) => (p.glob ? staticDir(p.pattern) : dirname(p.pattern))));
    for (const path of this.tails.keys()) dirs.add(dirname(path));
    const wanted = new Map<string, boolean>();
    for (const dir of dirs) {
      let at = dir;
      while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
      wanted.set(at, wanted.get(at) === true || at !== dir);
    }
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) { w.close(); this.watchers.delete(dir); }
    }
    this.standIns.clear();
    for (const [dir, standIn] of wanted) {
      if (standIn) this.standIns.add(dir);
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (event, name) => this.onEvent(dir, event, name));
        w.on('error', () => { w.close(); this.watchers.delete(dir); this.globDirty = true; });
        this.watchers.set(dir, w);
      } catch (error) {
        // No inotify here (or no room for another watch): the periodic checks cover this directory.
        this.ctx.log.debug(`cannot watch ${dir} (${(error as Error).message}); polling it`);
      }
    }
  }

  private onEvent(dir: string, event: string, name: string | Buffer | null): void {
    // Only a glob's directory can gain or lose matches; a busy neighbour file must not cost a readdir.
    if (this.standIns.has(dir)) this.globDirty = true;
    else if (this.globDirs.has(dir)) {
      const known = name !== null && this.tails.has(join(dir, String(name)));
      if (event === 'rename' || !known) this.globDirty = true;
    }
    if (this.scheduled || !this.running) return;
    // The first event of a quiet file is read at once (ban latency); a busy one is read every EVENT_DELAY ms.
    const delay = performance.now() - this.lastEventTick < EVENT_DELAY ? EVENT_DELAY : 0;
    this.scheduled = setTimeout(() => {
      this.scheduled = null;
      this.lastEventTick = performance.now();
      this.tick();
    }, delay);
  }

  /** One check of every file: rotation, new lines, late lines of rotated files. */
  private tick(): void {
    if (!this.running || this.waitingFor) return;
    if (this.globDirty) {
      this.globDirty = false;
      this.expand(false);
    }
    let more = false;
    for (const tail of this.tails.values()) {
      try {
        const read = tail.poll(BYTES_PER_TURN);
        more ||= read.more;
        this.deliver(tail.path, read.lines, read.backlog);
        if (read.lines.length > 0) this.saver.mark(this.key(tail.path), () => tail.position());
      } catch (error) {
        this.warnOnce(`read:${tail.path}`, `Error following ${tail.path}: ${(error as Error).message}`);
      }
      if (tail.waiting) {
        const why = tail.openError;
        this.warnOnce(tail.path, why ? `Cannot open ${tail.path}: ${why}; retrying` : `Log file ${tail.path} does not exist yet; waiting for it`);
      }
    }
    this.drainRetired(false);
    const wait = this.waitingFor as Promise<void> | null;
    if (wait) {
      void wait.then(() => { this.waitingFor = null; this.tick(); });
    } else if (more && !this.immediate) this.immediate = setImmediate(() => { this.immediate = null; this.tick(); });
  }

  private drainRetired(closeAll: boolean): void {
    const now = performance.now();
    this.retired = this.retired.filter((r) => {
      try {
        this.deliver(r.path, r.reader.read(Number.POSITIVE_INFINITY).lines);
      } catch (error) {
        this.ctx.log.debug(`reading rotated ${r.path}: ${(error as Error).message}`);
      }
      if (r.reader.readOffset !== r.lastOffset) {
        r.lastOffset = r.reader.readOffset;
        r.lastGrowth = now;
      }
      if (!closeAll && now - r.lastGrowth < this.options.rotateGrace) return true;
      const last = r.reader.flushPartial();
      if (last !== undefined) this.deliver(r.path, [last]);
      r.reader.close();
      return false;
    });
  }

  private deliver(origin: string, texts: readonly string[], backlog = false): void {
    if (texts.length === 0) return;
    this.linesRead += texts.length;
    const lines: SourceLine[] = texts.map((text) => (backlog ? { text, origin, backlog } : { text, origin }));
    const wait = this.ctx.onLines(lines);
    if (wait) this.waitingFor = wait;
  }
}
