/**
 * POSIX shell-style word splitting (quotes and backslashes), as fail2ban applies to each
 * `journalmatch` line before passing it to the journal.
 */
export function splitShellWords(line: string): string[] | { error: string } {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line.charAt(++i);
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      if (i + 1 >= line.length) return { error: 'no character after a backslash' };
      word = (word ?? '') + line.charAt(++i);
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return { error: 'no closing quotation' };
  if (word !== undefined) words.push(word);
  return words;
}
