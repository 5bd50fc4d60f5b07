// The public API of @baton/server, by name.
export { LowdbStore } from './stores/lowdbStore.ts';
export { DurableJsonFile } from './stores/durableJsonFile.ts';
export {
  CorruptDataFileError,
  DamagedJournalError,
  DataFileError,
  InvalidDataFileError,
  JournalGapError,
} from './stores/dataFileErrors.ts';
export { DataDirLockedError, DataDirLockLostError, lockDataDir } from './stores/dataDirLock.ts';
export { main as runCli } from './cli/main.ts';
export { createApp } from './app/createApp.ts';
export type { AppDeps } from './app/deps.ts';
export type {
  ServerConfig,
  PublishedJourney,
  JourneyDraft,
  ApiToken,
  Role,
  WebhookEndpoint,
} from './server/configFile.ts';
export { openServer, type ServerOptions } from './host/openServer.ts';
export { Configuration } from './server/configuration.ts';
