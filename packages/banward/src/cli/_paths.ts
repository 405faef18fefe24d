import { fileURLToPath } from 'node:url';

/** The config that ships with the package (`packages/banward/config`), used when --config is not given. */
export function bundledConfigDir(): string {
  return fileURLToPath(new URL('../../../config', import.meta.url));
}
