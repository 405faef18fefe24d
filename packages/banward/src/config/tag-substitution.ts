/**
 * `<tag>` substitution between the options of a filter or action, as fail2ban does it before
 * handing them to the server. Tags nest (`<lt_<logtype>/__prefix_line>` resolves `<logtype>`
 * first) and repeat until nothing more resolves. A tag that names nothing is left alone: `<HOST>`,
 * `<F-USER>`, `<ip>` and the like are resolved later by the regex engine or at ban time.
 */
import { BanwardError } from '../errors.js';
import { TracedText } from './traced-text.js';

/** How often one tag may be substituted into another before it counts as endless recursion. */
export const MAX_TAG_REPLACE_COUNT = 25;

const TAG_RE = /<([^ <>]+)>/g;

export interface TagOptions {
  /** Tags neither substituted nor expanded (conditional options, escaped action tags). */
  ignore?: Iterable<string>;
  /** e.g. `family=inet6`: `<x>` prefers option `x?family=inet6` when it exists. */
  conditional?: string;
  /** Consulted for a tag that is not among `tags` (fail2ban looks into the whole section). */
  fallback?: (tag: string) => TracedText | undefined;
}

function findTag(text: string, from: number): RegExpExecArray | null {
  TAG_RE.lastIndex = from;
  return TAG_RE.exec(text);
}

/** Returns a new map in which every value has its resolvable tags substituted. */
export function substituteTags(
  tags: ReadonlyMap<string, TracedText>,
  options: TagOptions = {},
): Map<string, TracedText> {
  const out = new Map(tags);
  const ignore = new Set(options.ignore ?? []);
  const done = new Set<string>();
  const counts = new Map<string, Map<string, number>>();
  for (;;) {
    let again = false;
    for (const tag of [...out.keys()]) {
      if (ignore.has(tag) || done.has(tag)) continue;
      const original = out.get(tag) as TracedText;
      let value = original;
      const count = counts.get(tag) ?? new Map<string, number>();
      let m = findTag(value.text, 0);
      while (m) {
        const ref = m[1]!;
        if (ignore.has(ref)) {
          m = findTag(value.text, m.index + m[0].length);
          continue;
        }
        if (ref === tag || (count.get(ref) ?? 1) > MAX_TAG_REPLACE_COUNT) {
          const { file, line } = original.origin();
          throw new BanwardError(
            'BANWARD_ERR_CONFIG_RECURSION',
            `option "${tag}" refers to itself through <${ref}>; tag substitution cannot finish`,
            { file, line },
          );
        }
        const replacement =
          (options.conditional ? out.get(`${ref}?${options.conditional}`) : undefined) ??
          out.get(ref) ??
          options.fallback?.(ref);
        if (replacement === undefined) {
          m = findTag(value.text, m.index + m[0].length);
          continue;
        }
        value = value.replaceAll(`<${ref}>`, replacement);
        count.set(ref, (count.get(ref) ?? 0) + 1);
        m = findTag(value.text, m.index);
      }
      if (value.text !== original.text) {
        if (findTag(value.text, 0)) {
          counts.set(tag, count);
          again = true;
        }
        out.set(tag, value);
      }
      if (!value.text.includes('<')) done.add(tag);
    }
    if (!again) return out;
  }
}
