/**
 * Events are past tense and carry integers (ticks, lots, ns). `seq` increases by one per event
 * within one engine; `ts` is the engine time of the command that caused the event.
 */
import type { CancelReason, RejectReason } from './reasons.js';
import type { OrderKind, Phase, SideName, StpMode, TimeInForce } from './types.js';

interface EventBase {
  seq: number;
  ts: number;
}

export interface InstrumentDefined extends EventBase {
  type: 'instrument';
  symbol: string;
  tickSize: string;
  lotSize: string;
  bandPct?: string;
  referencePrice?: number;
  stp: StpMode;
  phase: Phase;
  /** Echoed only when the definition sets them (src/core/limits.ts has the defaults). */
  maxQty?: number;
  maxPrice?: number;
}

export interface OrderAccepted extends EventBase {
  type: 'accepted';
  symbol: string;
  orderId: string;
  account: string;
  side: SideName;
  kind: OrderKind;
  price?: number;
  qty: number;
  tif: TimeInForce;
  postOnly?: boolean;
  stopPrice?: number;
  displayQty?: number;
  expireAt?: number;
  stp?: StpMode;
}

export interface OrderRejected extends EventBase {
  type: 'rejected';
  orderId?: string;
  symbol?: string;
  account?: string;
  reason: RejectReason;
  message: string;
}

export interface TradeExecuted extends EventBase {
  type: 'trade';
  symbol: string;
  /** Counts per instrument from 1: (symbol, tradeId) is unique, whichever mode ran it. */
  tradeId: number;
  price: number;
  qty: number;
  makerOrderId: string;
  takerOrderId: string;
  makerAccount: string;
  takerAccount: string;
  aggressor: SideName;
  /** Open quantity left on each order after this fill (visible + hidden). */
  makerLeaves: number;
  takerLeaves: number;
  /** True for prints of an opening, closing or reopening auction. */
  auction?: boolean;
}

export interface OrderCancelled extends EventBase {
  type: 'cancelled';
  symbol: string;
  orderId: string;
  account: string;
  remainingQty: number;
  reason: CancelReason;
}

/** Self-trade prevention `decrement`: an order shrank without a trade and stays live. */
export interface OrderReduced extends EventBase {
  type: 'reduced';
  symbol: string;
  orderId: string;
  account: string;
  /** Quantity removed. */
  qty: number;
  /** Open quantity left. */
  leavesQty: number;
  reason: 'stp';
}

export interface OrderReplaced extends EventBase {
  type: 'replaced';
  symbol: string;
  orderId: string;
  account: string;
  price?: number;
  stopPrice?: number;
  /** New open quantity. */
  qty: number;
  priorityKept: boolean;
}

export interface StopTriggered extends EventBase {
  type: 'triggered';
  symbol: string;
  orderId: string;
  account: string;
  stopPrice: number;
  lastPrice: number;
}

export interface PhaseChanged extends EventBase {
  type: 'phase';
  symbol: string;
  phase: Phase;
  previous: Phase;
  /** Why: `command`, `volatility` (LULD-like halt) or `reopen` (end of a halt pause). */
  reason: 'command' | 'volatility' | 'reopen';
  /** For a volatility halt: engine time at which the reopening auction runs. */
  until?: number;
}

/** Published during a call phase after each change: what the auction would do now. */
export interface IndicativeAuction extends EventBase {
  type: 'indicative';
  symbol: string;
  /** Null when nothing would match. */
  price: number | null;
  volume: number;
  imbalance: number;
  imbalanceSide: SideName | null;
}

/** The uncross: one price for every auction print. */
export interface AuctionCompleted extends EventBase {
  type: 'auction';
  symbol: string;
  price: number | null;
  volume: number;
  kind: 'opening' | 'closing' | 'reopening';
}

export interface MassCancelled extends EventBase {
  type: 'massCancelled';
  account: string;
  symbol?: string;
  count: number;
}

export interface BookOrderView {
  orderId: string;
  qty: number;
}
export interface BookLevelView {
  price: number;
  orders: BookOrderView[];
}

export interface BookSnapshotEvent extends EventBase {
  type: 'book';
  symbol: string;
  bids: BookLevelView[];
  asks: BookLevelView[];
}

export type EngineEvent =
  | InstrumentDefined
  | OrderAccepted
  | OrderRejected
  | TradeExecuted
  | OrderCancelled
  | OrderReplaced
  | OrderReduced
  | StopTriggered
  | PhaseChanged
  | IndicativeAuction
  | AuctionCompleted
  | MassCancelled
  | BookSnapshotEvent;

export type EventType = EngineEvent['type'];
