export { BanwardError, ERROR_CODES, isBanwardError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { systemClock, fixedClock } from './clock.js';
export type { Clock } from './clock.js';
