import { BanwardError, isBanwardError } from '../errors.js';
import { checkArgCount, defineCommand, parseWords, type CommandDef, type CommandIo } from './_command.js';
import { commandUsage, mainUsage, type GlobalOption } from './_usage.js';
import { CLIENT_COMMANDS } from './client-commands.js';
import { DUMP_CONFIG_COMMAND, TEST_CONFIG_COMMAND } from './config-commands.js';
import { REGEX_COMMAND } from './regex-command.js';
import { SERVER_COMMAND } from './server-command.js';
import { MIGRATE_COMMAND } from './migrate-command.js';
import { SETUP_COMMAND } from './setup-command.js';
import { TOP_COMMAND } from './top-command.js';
import { VERSION } from '../version.js';

const VERSION_COMMAND = defineCommand({
  name: 'version',
  aliases: ['--version', '-V'],
  summary: 'print the version',
  options: { json: { type: 'boolean', description: 'print {"version": …}, as the daemon answers it' } },
  run: async ({ values, out }) => {
    out.write(values.json ? `${JSON.stringify({ version: VERSION })}\n` : `banward ${VERSION}\n`);
    return 0;
  },
});

/** Every command banward has; usage texts, the snapshot test and dispatch all read this one table. */
export const COMMANDS: readonly CommandDef[] = [
  SERVER_COMMAND, REGEX_COMMAND, TEST_CONFIG_COMMAND, DUMP_CONFIG_COMMAND, MIGRATE_COMMAND, VERSION_COMMAND, ...CLIENT_COMMANDS, TOP_COMMAND, SETUP_COMMAND,
];

/** Options that may stand before the command's name (`banward --socket P ping`), as the README promises. */
const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  { name: 'socket', valueName: 'PATH', description: 'the daemon\'s control socket' },
  { name: 'config', valueName: 'DIR', description: 'the configuration directory' },
];

export const USAGE = mainUsage(COMMANDS, GLOBAL_OPTIONS);

function findCommand(name: string): CommandDef | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Splits the global options off the front; they join the command's words, where its table judges them. */
function leadingGlobals(argv: readonly string[]): { globals: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    const global = GLOBAL_OPTIONS.find((g) => word === `--${g.name}` || word.startsWith(`--${g.name}=`));
    if (!global) break;
    i += word.includes('=') ? 1 : 2;
  }
  return { globals: argv.slice(0, i), rest: argv.slice(i) };
}

async function runCommand(def: CommandDef, argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, args, help } = parseWords(def, argv);
  if (help) {
    io.out.write(commandUsage(def));
    return 0;
  }
  checkArgCount(def, args);
  return def.run({ values, args, ...io });
}

/** The one place errors become messages: a BanwardError prints as one line with its code and exits 2. */
export async function main(argv: readonly string[], io: CommandIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const { globals, rest: [name, ...words] } = leadingGlobals(argv);
  if (name === 'help' && words[0] !== undefined) return main([words[0], '--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const def = findCommand(name);
  try {
    if (!def) {
      const what = name.startsWith('-')
        ? `unknown option ${name} before the command (only ${GLOBAL_OPTIONS.map((g) => `--${g.name}`).join(' and ')} may stand there)`
        : `unknown command '${name}'`;
      throw new BanwardError('BANWARD_ERR_USAGE', `${what} (see banward --help)`);
    }
    return await runCommand(def, [...globals, ...words], io);
  } catch (error) {
    if (!isBanwardError(error)) throw error;
    io.err.write(`banward${def ? ` ${def.name}` : ''}: ${error.describe()} [${error.code}]\n`);
    return 2;
  }
}
