/**
 * Writes banward(8) and banward.conf(5) into OUT_DIR (the .deb build gzips them): `node
 * dist/packaging/build-man.js OUT_DIR YYYY-MM-DD`. banward(8)'s COMMANDS section is every command's own
 * --help text, so the man page says what the installed banward does.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/cli/main.js';
import { VERSION } from '../src/version.js';

const [outDir, date] = process.argv.slice(2);
if (!outDir || !date) throw new Error('usage: build-man.js OUT_DIR YYYY-MM-DD');
const sources = fileURLToPath(new URL('../../packaging/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/banward.js', import.meta.url));

/** Usage text as roff: no-fill, backslashes and minus signs escaped, no line read as a request. */
function roffBlock(text: string): string {
  const lines = text.trimEnd().split('\n').map((line) => line.replaceAll('\\', '\\e').replaceAll('-', '\\-').replace(/^(?=[.'])/, '\\&'));
  return ['.nf', ...lines, '.fi'].join('\n');
}

const sections = COMMANDS.map((command) => {
  const usage = execFileSync(process.execPath, [bin, command.name, '--help'], { encoding: 'utf8' });
  return `.SS ${command.name.replaceAll('-', '\\-')}\n${roffBlock(usage)}`;
});
const fill = (name: string) => readFileSync(join(sources, name), 'utf8').replaceAll('@DATE@', date).replaceAll('@VERSION@', VERSION);
writeFileSync(join(outDir, 'banward.8'), fill('banward.8.in').replace('@COMMANDS@', () => sections.join('\n')));
writeFileSync(join(outDir, 'banward.conf.5'), fill('banward.conf.5'));
