// The public API of @baton/server, by name.
export { LowdbStore } from './stores/lowdbStore.ts';
export { CorruptDataFileError, DurableJsonFile } from './stores/durableJsonFile.ts';
export { DataDirLockedError, lockDataDir } from './stores/dataDirLock.ts';
export { main as runCli } from './cli/main.ts';
