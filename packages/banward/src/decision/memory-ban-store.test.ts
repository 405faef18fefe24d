import { runBanStoreContract } from './_ban-store-contract.js';
import { MemoryBanStore } from './memory-ban-store.js';

runBanStoreContract('MemoryBanStore', () => new MemoryBanStore());
