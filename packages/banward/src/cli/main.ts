import { isBanwardError } from '../errors.js';
import { regexCommand } from './regex-command.js';

const USAGE = `Usage: banward COMMAND [options]

Commands:
  regex LOG FILTER [IGNOREREGEX]   test a filter against a log (like fail2ban-regex)
  version                          print the version

Run 'banward COMMAND --help' for a command's options.
`;

type Command = (argv: string[], out: NodeJS.WritableStream) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  regex: regexCommand,
  version: async (_argv, out) => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    out.write(`banward ${pkg.version}\n`);
    return 0;
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
