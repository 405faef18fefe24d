export { DateDetector } from './date-detector.js';
export type { DateDetectorOptions, DateMatch } from './date-detector.js';
export { DEFAULT_PATTERNS } from './default-templates.js';
export { fixedZoneMinutes, parseLogTimeZone } from './time-zone.js';
export type { LogTimeZone } from './time-zone.js';
