/**
 * fail2ban's `ignorecommand` and `ignorecache`, without a shell. The command line is split into
 * words once, when configured; tags like `<ip>` are then replaced inside each word, so whatever an
 * attacker managed to put into the "address" stays one argument and is never parsed by a shell.
 * The address is also passed as `BANWARD_IP` in the environment.
 */
import { parseInlineOptions, parseTimeValue, splitShellWords } from '../config/index.js';
import { BanwardError, type ErrorLocation } from '../errors.js';
import { exitText, runProcess } from '../process/index.js';

const TAG_RE = /<([^ <>]+)>/g;

/** Replaces `<tag>` with `tags[tag]`; unknown tags stay. Not recursive: values are untrusted. */
export function replaceTags(text: string, tags: Readonly<Record<string, string>>): string {
  return text.replace(TAG_RE, (whole, name: string) => (Object.hasOwn(tags, name) ? tags[name] : undefined) ?? whole);
}

export type CommandVerdict = { ignore: boolean } | { error: string };

/**
 * fail2ban waits for an ignorecommand without limit; a ban that waits on a hung one waits with its
 * whole jail, so banward ends it (and what it started) after 10 s and counts that as an error: the
 * address is not ignored.
 */
export const IGNORE_COMMAND_TIMEOUT_MS = 10_000;

export interface IgnoreCommandOptions {
  /** Kill the command after this many milliseconds (default IGNORE_COMMAND_TIMEOUT_MS). */
  timeoutMs?: number;
  where?: ErrorLocation;
}

/** A configured ignorecommand, ready to run for one address at a time. */
export class IgnoreCommand {
  private readonly words: string[];
  private readonly timeoutMs: number;

  constructor(readonly template: string, options: IgnoreCommandOptions = {}) {
    const words = splitShellWords(template);
    if ('error' in words || words.length === 0) {
      throw new BanwardError(
        'BANWARD_ERR_CONFIG_VALUE',
        `ignorecommand ${JSON.stringify(template)}: ${'error' in words ? words.error : 'no command'}`,
        options.where,
      );
    }
    this.words = words;
    this.timeoutMs = options.timeoutMs ?? IGNORE_COMMAND_TIMEOUT_MS;
  }

  /** The argv the command would run with (exported for tests and logs). */
  argv(tags: Readonly<Record<string, string>>): string[] {
    return this.words.map((w) => replaceTags(w, tags));
  }

  /** Exit 0 = ignore, 1 = do not ignore, anything else (or failing to start) = error. */
  async run(ip: string, tags: Readonly<Record<string, string>>): Promise<CommandVerdict> {
    const [file, ...args] = this.argv(tags) as [string, ...string[]];
    const r = await runProcess(file, args, { env: { BANWARD_IP: ip }, timeoutMs: this.timeoutMs, maxOutput: 4096 });
    if (r.ok) return { ignore: true };
    if (r.started && !r.timedOut && r.code === 1) return { ignore: false };
    const detail = r.stderr.trim().slice(0, 200);
    return { error: `ignorecommand ${file} for ${ip}: ${exitText(r)}${detail ? `: ${detail}` : ''}` };
  }
}

export interface IgnoreCacheSettings {
  /** Template of the cache key, e.g. `<ip>` (or `<F-USER>` to cache per user). */
  key: string;
  maxCount: number;
  /** Seconds an answer is kept. */
  maxTime: number;
}

/** `key="<ip>", max-count=100, max-time=5m` → settings (fail2ban's defaults fill the gaps). */
export function parseIgnoreCache(text: string, where: ErrorLocation = {}): IgnoreCacheSettings | undefined {
  if (text.trim() === '') return undefined;
  const { options } = parseInlineOptions(`cache[${text}]`, where);
  for (const name of Object.keys(options)) {
    if (!['key', 'max-count', 'max-time'].includes(name)) {
      throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `ignorecache: unknown setting "${name}" (expected key, max-count, max-time)`, where);
    }
  }
  if (!options['key']) throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', 'ignorecache needs key=… (e.g. key="<ip>")', where);
  const maxCount = Number(options['max-count'] ?? 100);
  if (!Number.isInteger(maxCount) || maxCount < 1) {
    throw new BanwardError('BANWARD_ERR_CONFIG_VALUE', `ignorecache: max-count must be a whole number of 1 or more, not ${JSON.stringify(options['max-count'])}`, where);
  }
  const maxTime = parseTimeValue(options['max-time'] ?? 300, { ...where, option: 'ignorecache max-time' });
  return { key: options['key'], maxCount, maxTime };
}

/** fail2ban's Utils.Cache: answers expire after maxTime; when full, the oldest go first. */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();
  constructor(private readonly settings: Pick<IgnoreCacheSettings, 'maxCount' | 'maxTime'>) {}

  get(key: string, now: number): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > now) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, now: number): void {
    if (this.entries.size >= this.settings.maxCount) {
      for (const [k, v] of this.entries) {
        this.entries.delete(k);
        if (v.expires > now && this.entries.size < this.settings.maxCount) break;
      }
    }
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + this.settings.maxTime });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
