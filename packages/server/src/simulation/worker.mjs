// In a checkout Baton runs from its TypeScript sources (bin/baton.mjs): a worker thread loads tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
