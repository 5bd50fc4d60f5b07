import { MemoryStore } from '../src/index.ts';
import { runStoreContract } from '../src/store/store.contract.ts';

runStoreContract('memory', async () => new MemoryStore());
