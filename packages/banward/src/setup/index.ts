export { LOGROTATE_NAME, UNIT_NAME, runRemove, runSetup, unitFor } from './setup.js';
export type { SetupOptions, SetupPaths, ShippedFiles, Systemd } from './setup.js';
export { NEW_VERSION_SUFFIX } from './_installed-files.js';
