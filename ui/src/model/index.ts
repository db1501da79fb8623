/**
 * UI state. Messages update plain objects immediately; views re-render from them at most once
 * per animation frame per topic (frame.ts). Prices and sizes stay decimal strings or integer
 * units (decimal.ts); floats only place pixels.
 */
export * from './frame';
export * from './decimal';
export { L2Book, type LadderLevel } from './book';
export { Tape } from './tape';
export { CandleBuilder, type Candle } from './candles';
export { Market, type Quote } from './market';
export { Session, type Notice, type ChaosState } from './session';
export { EnginePoller } from './engine-stats';
export { market, session, engine } from './app-state';
