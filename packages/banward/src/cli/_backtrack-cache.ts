import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backtrackRisk, type BacktrackRisk } from '../filter/regex/python-regex.js';
import { VERSION } from '../version.js';

/**
 * `banward regex`'s memory of backtracking verdicts, so that testing the same filter again skips the
 * analysis (a third of a one-line run on fail2ban's sshd filter). Kept in $XDG_CACHE_HOME/banward
 * (~/.cache/banward), keyed by the pattern; the whole file is void once banward's version or its regex
 * code changes. A cache that cannot be read or written is no cache: the verdicts are computed.
 */

/** Stored form of a verdict: null (no risk), 'e' (exponential) or a polynomial's degree. */
type StoredRisk = null | 'e' | number;

interface CacheFile {
  key: string;
  verdicts: Record<string, StoredRisk>;
}

const MAX_VERDICTS = 2000;
const REGEX_CODE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'filter', 'regex');

export function backtrackCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'banward', 'backtrack-risk.json');
}

/** The version and the regex code's files (names, sizes, times): a rebuilt analysis voids the cache. */
function codeKey(): string {
  const files = readdirSync(REGEX_CODE_DIR).filter((f) => f.endsWith('.js')).sort();
  return [VERSION, ...files.map((f) => {
    const s = statSync(join(REGEX_CODE_DIR, f));
    return `${f}:${s.size}:${s.mtimeMs}`;
  })].join('|');
}

function toStored(risk: BacktrackRisk | null): StoredRisk {
  return risk === null ? null : risk.kind === 'exponential' ? 'e' : risk.degree;
}

function fromStored(stored: unknown): BacktrackRisk | null | undefined {
  if (stored === null) return null;
  if (stored === 'e') return { kind: 'exponential', degree: Infinity };
  if (typeof stored === 'number' && Number.isInteger(stored) && stored > 0) return { kind: 'polynomial', degree: stored };
  return undefined;
}

export class BacktrackCache {
  private readonly key: string;
  private readonly verdicts: Record<string, StoredRisk>;
  private changed = false;

  constructor(private readonly path: string = backtrackCachePath()) {
    this.key = codeKey();
    this.verdicts = Object.create(null) as Record<string, StoredRisk>;
    try {
      const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheFile>;
      if (file.key === this.key && typeof file.verdicts === 'object' && file.verdicts !== null) {
        Object.assign(this.verdicts, file.verdicts);
      }
    } catch {
      // Missing, unreadable or not ours: start empty.
    }
  }

  /** backtrackRisk, answered from the cache when this pattern was analysed before. */
  readonly risk = (pattern: string, multiline: boolean): BacktrackRisk | null => {
    const id = `${multiline ? 'm' : 's'}:${pattern}`;
    const cached = fromStored(this.verdicts[id]);
    if (cached !== undefined) return cached;
    const risk = backtrackRisk(pattern, { multiline });
    this.verdicts[id] = toStored(risk);
    this.changed = true;
    return risk;
  };

  /** Writes the verdicts back (atomically, private to the user) if any is new; errors are ignored. */
  save(): void {
    if (!this.changed) return;
    const entries = Object.entries(this.verdicts);
    const file: CacheFile = { key: this.key, verdicts: Object.fromEntries(entries.slice(-MAX_VERDICTS)) };
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(temporary, JSON.stringify(file), { mode: 0o600 });
      renameSync(temporary, this.path);
    } catch {
      // A read-only home or a full disk costs the next run the analysis, nothing else.
      try {
        rmSync(temporary, { force: true });
      } catch {
        // There was no folder to write it in.
      }
    }
  }
}
