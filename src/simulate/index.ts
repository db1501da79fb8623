/**
 * Simulated participants (`crossbook serve --simulate`, `crossbook simulate`): market makers and
 * takers that trade through the public signed API so that a demo venue shows a moving market.
 */
export {
  Rng,
  FairValue,
  MarketMaker,
  Taker,
  type OrderIntent,
  type Quotes,
  type Touch,
  type Side,
  type MakerOptions,
  type TakerOptions,
  type FairValueOptions,
} from './participants.js';
export {
  Simulator,
  DEFAULT_SIM_RATE,
  type SimulatorOptions,
  type SimulatorStats,
} from './simulator.js';
export {
  SIM_MAKERS,
  SIM_TAKERS,
  hasSimAccounts,
  simAccountKeys,
  type KeyStore,
} from './accounts.js';
export type { ApiKeyPair } from '../gateway/index.js';
