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
