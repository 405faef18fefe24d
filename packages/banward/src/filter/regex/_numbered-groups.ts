/** A JavaScript regex source whose named groups became plain ones, with each old name's group number. */
export interface NumberedSource {
  source: string;
  numbers: ReadonlyMap<string, number>;
}

/**
 * Turns `(?<name>…)` into `(…)` and `\k<name>` into `(?:\N)`. V8 builds a `groups` object on every
 * match of a regex with named groups (a dictionary when there are many, as conditional variants make
 * them); reading captures by number saves that on every line. Group numbers follow the opening
 * parentheses, so they are counted in one left-to-right pass that skips escapes and character classes.
 */
export function numberGroups(source: string): NumberedSource {
  const numbers = new Map<string, number>();
  let out = '';
  let count = 0;
  let i = 0;
  const readName = (from: number): string => source.slice(from, source.indexOf('>', from));
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      if (source[i + 1] === 'k' && source[i + 2] === '<') {
        const name = readName(i + 3);
        const number = numbers.get(name);
        if (number === undefined) throw new Error(`backreference to ${name} before its group`);
        out += `(?:\\${number})`;
        i += name.length + 4;
        continue;
      }
      out += source.slice(i, i + 2);
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === '(' && source[i + 1] === '?') {
      if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        const name = readName(i + 3);
        numbers.set(name, ++count);
        out += '(';
        i += name.length + 4;
      } else {
        out += '(?';
        i += 2;
      }
    } else {
      if (c === '(') count++;
      out += c;
      i++;
    }
  }
  return { source: out, numbers };
}
