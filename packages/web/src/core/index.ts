export { createGuard, routeOf, type Attempt, type Guard, type RequestStart } from './guard.js';
export { resolveClientIp, compileTrust, type ConnInfo, type TrustFn } from './client-ip.js';
export { normalizeIp, ipKey } from './ip.js';
export { formatFailureLine } from './log-line.js';
export { MemoryLockoutStore, lockoutKeys, type LockoutDimension, type LockoutPolicy } from './lockout.js';
export { resolveOptions, DEFAULT_SOCKET, type BanwardWebOptions, type LockoutOptions, type LogSink, type ResolvedOptions } from './options.js';
export { type FailureRule, type ResponseInfo } from './rules.js';
export { SocketReporter, type Report, type ReporterStats, type SocketReporterOptions } from './socket-reporter.js';
export { BanwardWebError, ERROR_CODES, WARNINGS, type ErrorCode, type WarningCode } from './errors.js';
