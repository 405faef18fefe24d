/**
 * Text from the daemon's events (log lines, user names, messages) is attacker-controlled: before it
 * reaches a terminal every character that could steer the terminal is written as a visible escape.
 */

// C0 controls (ESC among them), DEL, C1 controls (U+009B is CSI on some terminals), the line and paragraph
// separators, and the bidirectional overrides and isolates that reorder what the admin reads.
const STEERING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function escaped(char: string): string {
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every steering character shown as `\xNN` or `\uNNNN`: safe to print as it is. */
export function escapeControl(text: string): string {
  return text.replace(STEERING, escaped);
}

/** One JSON line; JSON escapes C0 itself, the rest of the steering characters become `\uNNNN` (still JSON). */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(STEERING, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`)}\n`;
}

/** Any value as safe text: strings escaped, the rest as JSON. */
export function safeText(value: unknown): string {
  return escapeControl(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

/** Cut to `width` characters (by code point), marking the cut. */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}
