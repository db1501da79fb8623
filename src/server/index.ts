/**
 * The server's composition root (`crossbook serve`): configuration (defaults < config file < env
 * < flags), the store, the engine with its journal, market data, the gateway, graceful shutdown.
 * Ordering on start: store -> engine (recovers from its journal, catches the store up) ->
 * instruments -> public books from `book` events and orders from the store -> listen.
 * On close: stop accepting -> drain in-flight commands -> engine.close (snapshot) -> store.close.
 */
export {
  startServer,
  type RunningServer,
  type StartOptions,
  type EngineFactory,
  type EngineFactoryOptions,
  type DemoKey,
} from './server.js';
export {
  resolveConfig,
  DEFAULT_CONFIG,
  ENV_VARS,
  type ServerConfig,
  type FsyncPolicy,
} from './config.js';
export { runLoad, type LoadOptions, type LoadReport } from './load/index.js';
export { DEMO_INSTRUMENTS, loadInstrumentsFile, type InstrumentSpec } from './instruments.js';
