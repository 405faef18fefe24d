export { InlineMatcher, matchLines, type LineMatcher, type MatchedLines } from './line-matcher.js';
export { WorkerMatcher, type WorkerMatcherOptions } from './worker-matcher.js';
export { MATCH_SECONDS_BUCKETS, MatchStats } from './match-stats.js';
