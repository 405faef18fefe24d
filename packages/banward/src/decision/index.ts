export type { ActivityCounts, ActivityMinute, BanHistory, BanRecord, BanStore, OffenderCounts } from './ban-store.js';
export { MemoryBanStore } from './memory-ban-store.js';
export { SqliteBanStore } from './sqlite-ban-store.js';
export type { SqliteBanStoreOptions } from './sqlite-ban-store.js';
