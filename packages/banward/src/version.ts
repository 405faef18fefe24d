import { createRequire } from 'node:module';

/** banward's version, from its package.json (dist/src/version.js sits two folders below it). */
export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
