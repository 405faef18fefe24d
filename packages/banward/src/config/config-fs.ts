/**
 * The only file-system access of the config reader, behind a small interface so that every other
 * module stays pure and tests can hand in files from memory.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';

export interface ConfigFs {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(path: string): string | undefined;
  isFile(path: string): boolean;
  /** Names of the entries of a directory; empty when it does not exist. */
  list(dir: string): string[];
}

export const nodeConfigFs: ConfigFs = {
  readText(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
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
