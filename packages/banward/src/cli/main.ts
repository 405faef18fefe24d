import { isBanwardError } from '../errors.js';
import { CLIENT_COMMANDS, CLIENT_USAGE, clientCommand } from './client-commands.js';
import { configCommand } from './config-commands.js';
import { regexCommand } from './regex-command.js';
import { serverCommand } from './server-command.js';
import { VERSION } from '../version.js';

const USAGE = `Usage: banward COMMAND [options]

Commands:
  server [options]                 run the daemon in the foreground
  regex LOG FILTER [IGNOREREGEX]   test a filter against a log (like fail2ban-regex)
  test-config, -t [--config DIR]   check the configuration, filters included
  dump-config, -d [--config DIR]   print the jails as banward reads them
  version                          print the version

Run 'banward COMMAND --help' for a command's options.
` + '\n' + CLIENT_USAGE;

type Command = (argv: string[], out: NodeJS.WritableStream) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  regex: regexCommand,
  server: serverCommand,
  'test-config': (argv, out) => configCommand('test-config', argv, out),
  '-t': (argv, out) => configCommand('test-config', argv, out),
  'dump-config': (argv, out) => configCommand('dump-config', argv, out),
  '-d': (argv, out) => configCommand('dump-config', argv, out),
  ...Object.fromEntries(CLIENT_COMMANDS.map((c) => [c, (argv: string[], out: NodeJS.WritableStream) => clientCommand(c, argv, out)])),
  version: (_argv, out) => {
    out.write(`banward ${VERSION}\n`);
    return Promise.resolve(0);
  },
};

/** The one place errors become messages: a BanwardError prints as one line and exits 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`banward: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, process.stdout);
  } catch (error) {
    if (isBanwardError(error)) {
      process.stderr.write(`banward ${name}: ${error.describe()} [${error.code}]\n`);
      return 2;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`banward ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
