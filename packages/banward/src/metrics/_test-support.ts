import { unknownJail, type DaemonControl, type DaemonEvent, type JailCounters, type JailStatus } from '../control/index.js';

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;
const UNESCAPE: Record<string, string> = { n: '\n', '\\': '\\', '"': '"' };

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? `\\${c}`);
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** A strict reader of the text format (version 0.0.4): a line it does not know throws. */
export function parseExposition(text: string): Exposition {
  const out: Exposition = { help: new Map(), type: new Map(), samples: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? out.help : out.type).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    // Go's ParseFloat (Prometheus' parser) takes NaN and Inf in any case; prom-client writes `Nan`.
    const raw = m[3]!;
    const special = /^([+-]?)(inf|nan)$/i.exec(raw);
    const value = special ? (special[2]!.toLowerCase() === 'nan' ? Number.NaN : special[1] === '-' ? -Infinity : Infinity) : Number(raw);
    if (!special && (raw.trim() === '' || Number.isNaN(value))) throw new Error(`bad value in: ${line}`);
    out.samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', line), value });
  }
  return out;
}

/** The family a sample belongs to (a histogram's `_bucket`, `_sum` and `_count` are its family's). */
export function familyOf(exposition: Exposition, sample: string): string | undefined {
  if (exposition.type.has(sample)) return sample;
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  return exposition.type.get(base) === 'histogram' ? base : undefined;
}

/** The value of the one sample named `name` whose labels include `labels`; throws when there is none. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
  return found[0]!.value;
}

export const ATTACKER = '203.0.113.5';

/** A daemon with jails `sshd` (reads a log, one nft action) and `web-login` (reports only); its counters can be changed. */
export function fakeControl() {
  let listener: ((event: DaemonEvent) => void) | null = null;
  const jails = new Set(['sshd', 'web-login']);
  const counters = new Map<string, JailCounters>();
  const countersOf = (jail: string, linesRead: number, runs: number): JailCounters => ({
    linesRead,
    linesMatched: Math.floor(linesRead / 2),
    matchSeconds: { buckets: [0.001, 0.01], counts: [linesRead, 1, 0], sum: linesRead * 0.0005 },
    ignoredFailures: 1,
    abandonedLines: 0,
    actions: jail === 'sshd' ? [{ action: 'nftables', operation: 'ban', runs, failures: 1 }] : [],
    sourceLag: jail === 'sshd' ? [{ file: '/var/log/auth "main".log\n', bytes: 42 }] : [],
  });
  const known = (jail: string): string => {
    if (!jails.has(jail)) throw unknownJail(jail);
    return jail;
  };
  const status = (jail: string): JailStatus => ({
    jail,
    filter: { currentlyFailed: 1, totalFailed: 2, evicted: 0, abandonedLines: 0, files: ['/var/log/auth.log'], reports: jail !== 'sshd' },
    actions: { currentlyBanned: 1, totalBanned: 3, bannedIps: [ATTACKER], ...(jail === 'sshd' ? {} : { notEnforced: 'no action is set' }) },
  });
  const control = {
    started: Promise.resolve(),
    jailNames: () => [...jails],
    jailStatus: (jail: string) => status(known(jail)),
    jailCounters: (jail: string) => counters.get(known(jail)) ?? countersOf(jail, 10, 2),
    option: (jail: string, name: string) => { known(jail); return ({ bantime: 600, findtime: 300, maxretry: 5 } as Record<string, number>)[name]; },
    subscribe: (l: (event: DaemonEvent) => void) => { listener = l; return () => { listener = null; }; },
  } as unknown as DaemonControl;
  const emit = (event: DaemonEvent): void => listener?.(event);
  return { control, jails, counters, countersOf, emit, listening: () => listener !== null };
}
