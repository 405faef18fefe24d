import { HELP_OPTION, argsSynopsis, type CommandDef, type OptionSpec } from './_command.js';

/** Descriptions start in this column at most; a longer left side pushes only its own row. */
const MAX_LEFT = 24;

/** Two columns, descriptions aligned; a description's own newlines continue under it. */
function table(rows: ReadonlyArray<readonly [string, string]>, width = Math.min(MAX_LEFT, leftWidth(rows))): string {
  return rows.map(([left, right]) => {
    const [first = '', ...more] = right.split('\n');
    const head = `  ${left.padEnd(width)}  ${first}`.trimEnd();
    return [head, ...more.map((line) => `${' '.repeat(width + 4)}${line}`)].join('\n') + '\n';
  }).join('');
}

function leftWidth(rows: ReadonlyArray<readonly [string, string]>): number {
  return Math.max(...rows.map(([left]) => left.length));
}

function optionLeft(name: string, spec: OptionSpec): string {
  const long = `--${name}`;
  const value = spec.type === 'string' ? ` ${spec.valueName ?? spec.values?.join('|') ?? 'VALUE'}` : '';
  return `${spec.short ? `-${spec.short}, ` : ''}${long}${value}`;
}

/** `banward CMD --help`: generated from the command's definition alone. */
export function commandUsage(def: CommandDef): string {
  const args = def.args ?? [];
  let text = `Usage: banward ${def.name} [options]${args.length ? ` ${argsSynopsis(args)}` : ''}\n`;
  if (def.aliases?.length) text += `   or: banward ${def.aliases.join(', ')} [options]\n`;
  text += `\n${def.description ?? `${def.summary[0]!.toUpperCase()}${def.summary.slice(1)}.`}\n`;
  if (args.length) text += `\nArguments:\n${table(args.map((a) => [a.name, a.description]))}`;
  const options = [...Object.entries(def.options), ['help', HELP_OPTION] as const];
  text += `\nOptions:\n${table(options.map(([name, spec]) => [optionLeft(name, spec), spec.description]))}`;
  if (def.notes) text += `\n${def.notes}`;
  return text;
}

/** Global options stand before the command's name; main moves them among its words. */
export interface GlobalOption {
  readonly name: string;
  readonly valueName: string;
  readonly description: string;
}

/** `banward --help`: every command of the table, with its arguments and summary. */
export function mainUsage(commands: readonly CommandDef[], globals: readonly GlobalOption[]): string {
  const row = (def: CommandDef) => [[def.name, ...(def.aliases ?? [])].join(', ') + (def.args?.length ? ` ${argsSynopsis(def.args)}` : ''), def.summary] as const;
  const local = commands.filter((c) => !c.client).map(row);
  const client = commands.filter((c) => c.client).map(row);
  // One column for both lists, however long a command's arguments: they read as one table.
  const width = leftWidth([...local, ...client]);
  const takers = (name: string) => commands.filter((c) => Object.hasOwn(c.options, name));
  const clients = commands.filter((c) => c.client);
  // "the client commands" when all of them take it, so the line stays short.
  const takenBy = (name: string): string => {
    const all = takers(name);
    const allClients = clients.every((c) => all.includes(c));
    return [...(allClients ? ['the client commands'] : []), ...all.filter((c) => !allClients || !c.client).map((c) => c.name)].join(', ');
  };
  return `Usage: banward ${globals.map((g) => `[--${g.name} ${g.valueName}]`).join(' ')} COMMAND [options] [ARGS]\n\n`
    + `Commands:\n${table(local, width)}\n`
    + `Client commands (they talk to a running 'banward server'; fail2ban-client's spelling):\n`
    + `${table(client, width)}\n`
    + `Global options, before the command or among its words:\n`
    + table(globals.map((g) => [`--${g.name} ${g.valueName}`, `${g.description}; for ${takenBy(g.name)}`]))
    + `\n--json prints the output as JSON, for ${takenBy('json')}.\n`
    + `Run 'banward COMMAND --help' (or 'banward help COMMAND') for a command's arguments and options.\n`;
}
