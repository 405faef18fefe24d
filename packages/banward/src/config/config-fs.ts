/**
 * The only file-system access of the config reader, behind a small interface so that every other
 * module stays pure and tests can hand in files from memory.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { BanwardError } from '../errors.js';

/** fail2ban's largest stock file is ~40 KiB: a bigger configuration file is a mistake, not a config. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export interface ConfigFs {
  /** The file's text, or undefined when it does not exist; throws (BANWARD_ERR_CONFIG_SYNTAX) for one that is unreadable, huge or binary. */
  readText(path: string): string | undefined;
  isFile(path: string): boolean;
  /** Names of the entries of a directory; empty when it does not exist. */
  list(dir: string): string[];
}

export const nodeConfigFs: ConfigFs = {
  readText(path) {
    let text: string;
    try {
      const size = statSync(path).size;
      if (size > MAX_CONFIG_FILE_BYTES) {
        throw new BanwardError('BANWARD_ERR_CONFIG_SYNTAX', `the file is ${size} bytes; a configuration file may hold ${MAX_CONFIG_FILE_BYTES} at most`, { file: path });
      }
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (error instanceof BanwardError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw new BanwardError('BANWARD_ERR_CONFIG_SYNTAX', `cannot read the file: ${code ?? String(error)}`, { file: path });
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      throw new BanwardError('BANWARD_ERR_CONFIG_SYNTAX', 'binary data (a NUL byte): not a configuration file', { file: path, line: text.slice(0, nul).split('\n').length });
    }
    return text;
  },
  isFile(path) {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/** A ConfigFs over a map of path → text, for tests and embedded defaults. */
export function memoryConfigFs(files: Record<string, string>): ConfigFs {
  return {
    readText: (path) => files[path],
    isFile: (path) => path in files,
    list(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      return Object.keys(files)
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => p.slice(prefix.length));
    },
  };
}
