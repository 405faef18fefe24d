export { InlineMatcher, matchLines, type LineMatcher, type MatchedLines } from './line-matcher.js';
export { WorkerMatcher, type WorkerMatcherOptions } from './worker-matcher.js';
