/**
 * Commands are imperative and carry integers only (ticks, lots, ns). The edge (src/protocol,
 * src/gateway) parses decimals and turns bad input into rejections before a command exists.
 */
import type {
  InstrumentConfig,
  OrderKind,
  Phase,
  SideName,
  StpMode,
  TimeInForce,
} from './types.js';

export interface DefineInstrument {
  type: 'instrument';
  instrument: InstrumentConfig;
  ts?: number;
}

export interface PlaceOrder {
  type: 'place';
  symbol: string;
  orderId: string;
  account: string;
  side: SideName;
  kind: OrderKind;
  /** Limit price in ticks; required for limit and stopLimit. */
  price?: number;
  /** Quantity in lots. */
  qty: number;
  tif?: TimeInForce;
  postOnly?: boolean;
  /** Trigger price in ticks for stop and stopLimit. */
  stopPrice?: number;
  /** Iceberg: the visible slice in lots. */
  displayQty?: number;
  /** GTD expiry, ns. */
  expireAt?: number;
  stp?: StpMode;
  /** The client's own id for the order: carried to the journal and the store; matching ignores it. */
  clientOrderId?: string;
  ts?: number;
}

export interface CancelOrder {
  type: 'cancel';
  symbol: string;
  orderId: string;
  account: string;
  ts?: number;
}

export interface ReplaceOrder {
  type: 'replace';
  symbol: string;
  orderId: string;
  account: string;
  /** New limit price in ticks (or new stop price for an untriggered stop). */
  price?: number;
  /** New open (leaves) quantity in lots. */
  qty?: number;
  /** New stop trigger price in ticks, for an untriggered stop or stopLimit. */
  stopPrice?: number;
  ts?: number;
}

export interface MassCancel {
  type: 'massCancel';
  account: string;
  symbol?: string;
  ts?: number;
}

export interface SetPhase {
  type: 'phase';
  symbol: string;
  phase: Phase;
  ts?: number;
}

/** Advances engine time: drives DAY / GTD expiry and the end of volatility halts. */
export interface AdvanceClock {
  type: 'clock';
  ts: number;
}

/** Reads the book; changes nothing. */
export interface BookSnapshot {
  type: 'snapshot';
  symbol: string;
  ts?: number;
}

export type Command =
  | DefineInstrument
  | PlaceOrder
  | CancelOrder
  | ReplaceOrder
  | MassCancel
  | SetPhase
  | AdvanceClock
  | BookSnapshot;

export type CommandType = Command['type'];

/** Commands that change state and therefore go to the journal. */
export const isStateChanging = (cmd: Command): boolean => cmd.type !== 'snapshot';
