import { parseArgs } from 'node:util';
import { BanwardError } from '../errors.js';

/** One option of a command: its type, what it does, and (when closed) the only values it takes. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly short?: string;
  /** What the value stands for in the usage (DIR, PATH); the allowed values joined by `|` when not given. */
  readonly valueName?: string;
  /** The only values accepted; anything else is refused before the command runs. */
  readonly values?: readonly string[];
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What run() receives: booleans, strings, or one of the declared values. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K] extends { values: readonly (infer V extends string)[] } ? V : string
};

/** One positional argument, in the order they stand. */
export interface ArgSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  /** Takes every remaining word (the last argument only). */
  readonly variadic?: boolean;
}

export interface CommandIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export interface CommandContext<O extends OptionSpecs> extends CommandIo {
  readonly values: OptionValues<O>;
  readonly args: string[];
}

/** A command of the table: everything its usage says, and what it does once its words are checked. */
export interface CommandDef<O extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for `banward --help`. */
  readonly summary: string;
  /** What its own --help says under the usage line; the summary when not given. */
  readonly description?: string;
  /** Client commands talk to a running daemon; `banward --help` lists them apart. */
  readonly client?: boolean;
  readonly args?: readonly ArgSpec[];
  readonly options: O;
  /** Lines at the end of its --help (signals, defaults). */
  readonly notes?: string;
  run(context: CommandContext<O>): Promise<number>;
}

/** Keeps the option types literal, so run() sees `values.json` as a boolean and `values.socket` as a string. */
export function defineCommand<const O extends OptionSpecs>(def: CommandDef<O>): CommandDef<O> {
  return def;
}

/** Every command takes -h/--help; it is printed from the table, not declared by each command. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'this help' };

export function usageError(def: CommandDef, message: string): BanwardError {
  return new BanwardError('BANWARD_ERR_USAGE', `${message} (see banward ${def.name} --help)`);
}

/** `a, b or c`, for messages that list allowed values. */
export function oneOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)!}`;
}

export interface ParsedWords<O extends OptionSpecs> {
  values: OptionValues<O>;
  args: string[];
  help: boolean;
}

/**
 * Reads a command's words against its declared options. node:util's non-strict mode hands us the tokens
 * and we judge them, so every refusal is a BANWARD_ERR_USAGE in our words rather than node's TypeError.
 */
export function parseWords<O extends OptionSpecs>(def: CommandDef<O>, argv: readonly string[]): ParsedWords<O> {
  const specs: OptionSpecs = { ...def.options, help: HELP_OPTION };
  const { tokens } = parseArgs({
    args: [...argv], strict: false, allowPositionals: true, tokens: true,
    options: Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, s.short ? { type: s.type, short: s.short } : { type: s.type }])),
  });
  const values: Record<string, string | boolean> = {};
  const args: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') args.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (!spec) throw usageError(def, `unknown option ${token.rawName}`);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw usageError(def, `${token.rawName} takes no value`);
      values[token.name] = true;
      continue;
    }
    // As node's strict mode: `--socket --json` is a forgotten value, not a socket named "--json".
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      throw usageError(def, `${token.rawName} needs a value`);
    }
    if (spec.values && !spec.values.includes(token.value)) {
      throw usageError(def, `${token.rawName} must be ${oneOf(spec.values)}, not ${JSON.stringify(token.value)}`);
    }
    values[token.name] = token.value;
  }
  const { help, ...declared } = values;
  // Each value was checked against its spec above: its type, and its declared values.
  return { values: declared as OptionValues<O>, args, help: help === true };
}

/** Refuses too few or too many positional arguments, naming what the command expects. */
export function checkArgCount(def: CommandDef, args: readonly string[]): void {
  const declared = def.args ?? [];
  const min = declared.filter((a) => !a.optional).length;
  const max = declared.at(-1)?.variadic ? Infinity : declared.length;
  if (args.length >= min && args.length <= max) return;
  if (declared.length === 0) throw usageError(def, `takes no arguments, not ${JSON.stringify(args[0])}`);
  throw usageError(def, `${args.length > max ? 'too many arguments: ' : ''}expected ${argsSynopsis(declared)}`);
}

export function argsSynopsis(args: readonly ArgSpec[]): string {
  return args.map((a) => {
    const word = a.variadic ? `${a.name}...` : a.name;
    return a.optional ? `[${word}]` : word;
  }).join(' ');
}
