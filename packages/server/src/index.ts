// The public API of @baton/server, by name.
export { LowdbStore } from './stores/lowdbStore.ts';
export { CorruptDataFileError, DurableJsonFile } from './stores/durableJsonFile.ts';
export { DataDirLockedError, lockDataDir } from './stores/dataDirLock.ts';
export { main as runCli } from './cli/main.ts';
export { createApp } from './app/createApp.ts';
export type { AppDeps, ServerConfig, PublishedJourney, JourneyDraft, ApiToken, Role, WebhookEndpoint } from './app/deps.ts';
export { openServer, type ServerOptions } from './server/openServer.ts';
export { Configuration } from './server/configuration.ts';
