import { toSteps, formatSteps } from '../core/index.js';
import type { InstrumentUnits } from '../protocol/index.js';

/**
 * FIX values <-> the HTTP API's order fields. Pure functions: the adapter calls them, nothing here
 * touches the engine. A `FieldError` becomes a session-level Reject (3) with 373 and 371.
 */

/** SessionRejectReason (373) values used here. */
export const REJECT = {
  requiredTagMissing: 1,
  valueOutOfRange: 5,
  incorrectDataFormat: 6,
} as const;

export class FieldError extends Error {
  constructor(
    readonly tag: number,
    readonly reason: number,
    message: string,
  ) {
    super(message);
  }
}

/** A FIX message's fields as the raw strings on the wire, by tag. */
export interface Fields {
  get(tag: number): string | undefined;
}

const DECIMAL_RE = /^\d{1,30}(\.\d{1,20})?$/;
const CLORDID_RE = /^[A-Za-z0-9._:-]{1,64}$/;
const UTC_RE = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

export function required(f: Fields, tag: number, name: string): string {
  const v = f.get(tag);
  if (v === undefined || v === '')
    throw new FieldError(tag, REJECT.requiredTagMissing, `${name} (${tag}) is required`);
  return v;
}

export function decimal(f: Fields, tag: number, name: string): string | undefined {
  const v = f.get(tag);
  if (v === undefined) return undefined;
  if (!DECIMAL_RE.test(v))
    throw new FieldError(tag, REJECT.incorrectDataFormat, `${name} (${tag}) must be a decimal`);
  return v;
}

export function clOrdId(f: Fields, tag: number, name: string): string {
  const v = required(f, tag, name);
  if (!CLORDID_RE.test(v)) {
    throw new FieldError(
      tag,
      REJECT.incorrectDataFormat,
      `${name} (${tag}) must be 1..64 characters of A-Z a-z 0-9 . _ : -`,
    );
  }
  return v;
}

function oneOf<T>(f: Fields, tag: number, name: string, map: Record<string, T>): T | undefined {
  const v = f.get(tag);
  if (v === undefined) return undefined;
  const out = map[v];
  if (out === undefined) {
    throw new FieldError(
      tag,
      REJECT.valueOutOfRange,
      `${name} (${tag}) must be one of ${Object.keys(map).join(', ')}`,
    );
  }
  return out;
}

const SIDES: Record<string, 'buy' | 'sell'> = { '1': 'buy', '2': 'sell' };
const KINDS: Record<string, string> = {
  '1': 'market',
  '2': 'limit',
  '3': 'stop',
  '4': 'stopLimit',
};
const TIFS: Record<string, string> = { '0': 'DAY', '1': 'GTC', '3': 'IOC', '4': 'FOK', '6': 'GTD' };

/** FIX UTCTimestamp (YYYYMMDD-HH:MM:SS[.sss]) to ms since the epoch. */
export function utcMs(f: Fields, tag: number, name: string): number | undefined {
  const v = f.get(tag);
  if (v === undefined) return undefined;
  const m = UTC_RE.exec(v);
  if (m === null) {
    throw new FieldError(
      tag,
      REJECT.incorrectDataFormat,
      `${name} (${tag}) must be YYYYMMDD-HH:MM:SS.sss`,
    );
  }
  const frac = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + frac;
}

/** NewOrderSingle (D) -> the body of POST /api/v1/orders. */
export function placeBody(f: Fields): Record<string, unknown> {
  const clientOrderId = clOrdId(f, 11, 'ClOrdID');
  const symbol = required(f, 55, 'Symbol');
  required(f, 54, 'Side');
  const side = oneOf(f, 54, 'Side', SIDES)!;
  const qty = decimal(f, 38, 'OrderQty');
  if (qty === undefined) required(f, 38, 'OrderQty');
  required(f, 40, 'OrdType');
  const kind = oneOf(f, 40, 'OrdType', KINDS)!;
  const price = decimal(f, 44, 'Price');
  const stopPrice = decimal(f, 99, 'StopPx');
  const tif = oneOf(f, 59, 'TimeInForce', TIFS);
  const expireAt = utcMs(f, 126, 'ExpireTime');
  const execInst = f.get(18);
  if (execInst !== undefined && !/^[0-9A-Za-z]( [0-9A-Za-z])*$/.test(execInst)) {
    throw new FieldError(18, REJECT.incorrectDataFormat, 'ExecInst (18) must be a list of codes');
  }
  const displayQty = decimal(f, 111, 'MaxFloor');
  const body: Record<string, unknown> = { clientOrderId, symbol, side, kind, qty };
  if (price !== undefined) body.price = price;
  if (stopPrice !== undefined) body.stopPrice = stopPrice;
  if (tif !== undefined) body.tif = tif;
  if (expireAt !== undefined) body.expireAt = expireAt;
  if (execInst !== undefined && execInst.split(' ').includes('6')) body.postOnly = true;
  if (displayQty !== undefined) body.displayQty = displayQty;
  return body;
}

/**
 * OrderCancelReplaceRequest (G) -> the body of PATCH /orders/{id}. OrderQty (38) is the new total
 * (fills included); the API's qty is the new open quantity, so the filled part is taken off.
 * Returns a reason text when the total is below what is already filled.
 */
export function replaceBody(
  f: Fields,
  units: InstrumentUnits,
  filledLots: number,
): { body: Record<string, unknown> } | { refuse: string } {
  const body: Record<string, unknown> = {};
  const price = decimal(f, 44, 'Price');
  const stopPrice = decimal(f, 99, 'StopPx');
  const total = decimal(f, 38, 'OrderQty');
  if (price !== undefined) body.price = price;
  if (stopPrice !== undefined) body.stopPrice = stopPrice;
  if (total !== undefined) {
    const lots = toSteps(total, units.lot);
    if (!lots.ok) {
      // The service names the exact problem (off lot, too large) from the same text.
      body.qty = total;
    } else {
      const open = lots.value - filledLots;
      if (open <= 0) {
        return {
          refuse: `invalid_qty: OrderQty ${total} is not above the filled quantity ${formatSteps(filledLots, units.lot)}`,
        };
      }
      body.qty = formatSteps(open, units.lot);
    }
  }
  return { body };
}

/** OrdRejReason (103) for an API reject reason. */
export function ordRejReason(reason: string): number {
  switch (reason) {
    case 'unknown_symbol':
      return 1;
    case 'market_closed':
    case 'halted':
      return 2;
    case 'risk_max_qty':
    case 'risk_max_notional':
    case 'risk_max_open_orders':
    case 'risk_rate_limit':
    case 'account_disabled':
      return 3;
    case 'unknown_order':
      return 5;
    case 'duplicate_order_id':
      return 6;
    default:
      return 99;
  }
}
