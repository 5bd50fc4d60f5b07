#!/usr/bin/env node
// The `baton` command in a checkout: tsx loads the TypeScript sources, no build step. The published
// package runs its build instead (publishConfig.bin: dist/cli/bin.js), without tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
