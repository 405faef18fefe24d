/**
 * A command of an action.d file, after its static tags are substituted, cut at its dynamic tags
 * (`<ip>`, `<matches>`, `<F-USER>`, …) with the shell quoting context of each. Knowing the context
 * is what lets a value the log supplied reach the command as an environment variable reference that
 * is correct where it stands — `"$F2B_MATCHES"` unquoted, `${F2B_MATCHES}` inside double quotes,
 * `'"${F2B_MATCHES}"'` inside single quotes — and never as shell text.
 *
 * The lexer follows POSIX sh quoting (quotes, backslashes, `$( )`, backticks, `${ }`, `$(( ))`,
 * comments, here-documents) far enough to know the context; it does not parse commands.
 */

export type TagContext =
  | 'plain'
  | 'double'
  | 'single'
  | 'heredoc'
  | 'quoted-heredoc'
  | 'arithmetic'
  | 'comment'
  | 'escaped';

export interface TagSlot {
  tag: string;
  context: TagContext;
}

export interface ShellTemplate {
  /** Literal text between slots: `parts.length === slots.length + 1`. */
  parts: string[];
  slots: TagSlot[];
}

type Frame =
  | { kind: 'plain'; closer: ')' | '`' | '}' | null; depth: number }
  | { kind: 'double' }
  | { kind: 'double-brace' }
  | { kind: 'arithmetic'; depth: number };

interface HereDoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

const WORD_BREAK = /[\s;&|()<>]/;

/** The tag named at `i` (`<name>` without spaces or angle brackets inside), if it is dynamic. */
function tagAt(text: string, i: number, isDynamic: (tag: string) => boolean): string | null {
  if (text[i] !== '<') return null;
  const end = text.indexOf('>', i + 1);
  if (end < 0) return null;
  const name = text.slice(i + 1, end);
  if (name === '' || /[\s<]/.test(name) || !isDynamic(name)) return null;
  return name;
}

/** Reads a here-document delimiter word starting at `i`; returns it and where it ends. */
function readDelimiter(text: string, i: number): { word: string; quoted: boolean; end: number } {
  let j = i;
  while (text[j] === ' ' || text[j] === '\t') j++;
  let word = '';
  let quoted = false;
  while (j < text.length && !WORD_BREAK.test(text.charAt(j))) {
    const c = text.charAt(j);
    if (c === "'" || c === '"') {
      quoted = true;
      const close = text.indexOf(c, j + 1);
      const stop = close < 0 ? text.length : close;
      word += text.slice(j + 1, stop);
      j = stop + 1;
    } else if (c === '\\') {
      quoted = true;
      word += text[j + 1] ?? '';
      j += 2;
    } else {
      word += c;
      j++;
    }
  }
  return { word, quoted, end: j };
}

/**
 * Cuts `text` at the dynamic tags `isDynamic` accepts. Tags are found in every context (fail2ban
 * substitutes them everywhere); the context says how a value may be put there.
 */
export function compileShellTemplate(text: string, isDynamic: (tag: string) => boolean): ShellTemplate {
  const parts: string[] = [];
  const slots: TagSlot[] = [];
  const stack: Frame[] = [{ kind: 'plain', closer: null, depth: 0 }];
  const pendingDocs: HereDoc[] = [];
  let doc: HereDoc | null = null;
  let inSingle = false;
  let inComment = false;
  let last = 0;
  let atWordStart = true;

  const slot = (i: number, tag: string, context: TagContext): number => {
    parts.push(text.slice(last, i));
    slots.push({ tag, context });
    last = i + tag.length + 2;
    return last;
  };

  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (doc) {
      const lineEnd = text.indexOf('\n', i);
      const stop = lineEnd < 0 ? text.length : lineEnd;
      const line = text.slice(i, stop);
      if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
        doc = pendingDocs.shift() ?? null;
        i = stop + 1;
        continue;
      }
      for (let j = i; j < stop; j++) {
        const tag = tagAt(text, j, isDynamic);
        if (tag) j = slot(j, tag, doc.quoted ? 'quoted-heredoc' : 'heredoc') - 1;
      }
      i = stop + 1;
      if (lineEnd >= 0 && i >= text.length) break;
      continue;
    }
    // The top-level frame has no closer, so it is never popped.
    const frame = stack[stack.length - 1]!;
    const tag = tagAt(text, i, isDynamic);
    if (tag) {
      let context: TagContext;
      if (inComment) context = 'comment';
      else if (inSingle) context = 'single';
      else if (i > 0 && text[i - 1] === '\\' && (i < 2 || text[i - 2] !== '\\')) context = 'escaped';
      else if (frame.kind === 'arithmetic') context = 'arithmetic';
      else if (frame.kind === 'double' || frame.kind === 'double-brace') context = 'double';
      else context = 'plain';
      i = slot(i, tag, context);
      atWordStart = false;
      continue;
    }
    if (inComment) {
      if (c === '\n') {
        inComment = false;
        atWordStart = true;
        if (pendingDocs.length > 0) doc = pendingDocs.shift() ?? null;
      }
      i++;
      continue;
    }
    if (inSingle) {
      if (c === "'") inSingle = false;
      i++;
      continue;
    }
    if (c === '\\') {
      // A tag right after the backslash is found (and refused) as escaped on the next turn.
      i += tagAt(text, i + 1, isDynamic) ? 1 : 2;
      atWordStart = false;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      if (text[i + 2] === '(') {
        stack.push({ kind: 'arithmetic', depth: 0 });
        i += 3;
      } else {
        stack.push({ kind: 'plain', closer: ')', depth: 0 });
        i += 2;
      }
      atWordStart = true;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      stack.push(frame.kind === 'double' ? { kind: 'double-brace' } : { kind: 'plain', closer: '}', depth: 0 });
      i += 2;
      continue;
    }
    if (c === '`') {
      if (frame.kind === 'plain' && frame.closer === '`') stack.pop();
      else stack.push({ kind: 'plain', closer: '`', depth: 0 });
      i++;
      atWordStart = true;
      continue;
    }
    if (frame.kind === 'double') {
      if (c === '"') stack.pop();
      i++;
      continue;
    }
    if (frame.kind === 'double-brace') {
      if (c === '}') stack.pop();
      i++;
      continue;
    }
    if (frame.kind === 'arithmetic') {
      if (c === '(') frame.depth++;
      else if (c === ')') {
        if (frame.depth > 0) frame.depth--;
        else if (text[i + 1] === ')') {
          stack.pop();
          i++;
        }
      }
      i++;
      continue;
    }
    // Unquoted text (top level, or inside $( ), backticks or ${ }).
    if (c === "'") inSingle = true;
    else if (c === '"') stack.push({ kind: 'double' });
    else if (c === '#' && atWordStart) inComment = true;
    else if (c === '(' && frame.closer === ')') frame.depth++;
    else if (c === ')' && frame.closer === ')') {
      if (frame.depth > 0) frame.depth--;
      else stack.pop();
    } else if (c === '}' && frame.closer === '}') stack.pop();
    else if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      const stripTabs = text[i + 2] === '-';
      const d = readDelimiter(text, i + (stripTabs ? 3 : 2));
      pendingDocs.push({ delimiter: d.word, quoted: d.quoted, stripTabs });
      i = d.end;
      atWordStart = false;
      continue;
    } else if (c === '\n' && pendingDocs.length > 0) {
      doc = pendingDocs.shift() ?? null;
      i++;
      continue;
    }
    atWordStart = WORD_BREAK.test(c);
    i++;
  }
  parts.push(text.slice(last));
  return { parts, slots };
}
