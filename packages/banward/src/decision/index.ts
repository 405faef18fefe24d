export type { ActivityCounts, ActivityMinute, BanRecord, BanStore, OffenderCounts } from './ban-store.js';
export { MemoryBanStore } from './memory-ban-store.js';
export { SqliteBanStore } from './sqlite-ban-store.js';
export type { SqliteBanStoreOptions } from './sqlite-ban-store.js';
export { migrateSchema } from './_schema-migrations.js';
export type { SchemaMigration } from './_schema-migrations.js';
