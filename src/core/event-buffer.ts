/**
 * The engine's output for one command, written without allocating: the frequent outcomes
 * (accepted, trade, cancelled, replaced, reduced, triggered) go into typed columns, and the rare
 * ones (rejections, phases, auctions, snapshots...) are kept as the objects they already are.
 * The buffer is reused from command to command (cleared when the next one starts).
 *
 * Readers either look at the columns (kind / num / str, by event index) or ask for `event(i)`,
 * which builds the very object `Exchange.execute` returns: same fields, same key order, same
 * `undefined` members, so code that consumes objects sees no difference. Objects are built only
 * for the events someone asks for.
 */
import type { CancelReason } from './reasons.js';
import { CANCEL_REASONS } from './reasons.js';
import type { EngineEvent } from './events.js';
import { KIND_CODES, STP_CODES, TIF_CODES } from './order-table.js';
import type { SideName } from './types.js';

/** Event kinds of the typed columns; EV_OBJECT means "look in `obj`". */
export const EV_OBJECT = 0;
export const EV_ACCEPTED = 1;
export const EV_TRADE = 2;
export const EV_CANCELLED = 3;
export const EV_REPLACED = 4;
export const EV_REDUCED = 5;
export const EV_TRIGGERED = 6;

/** Numbers per event in `num`, strings per event in `str`. */
export const NUM_STRIDE = 12;
export const STR_STRIDE = 4;

/*
 * Column layouts (num[i * NUM_STRIDE + k], str[i * STR_STRIDE + k]); every event also has
 * seq[i], ts[i] and inst[i] (the instrument index, see Exchange.instrumentIndex). `oid` fields
 * are the order handles of the instrument's order table.
 * - accepted: num side, kind, price (NaN), qty, tif, postOnly (0/1), stopPrice (NaN),
 *   displayQty (0 = none), expireAt (NaN = not shown), stp (-1 = symbol default), oid;
 *   str orderId, account.
 * - trade: num tradeId, price, qty, aggressor side, makerLeaves, takerLeaves, auction (0/1),
 *   maker oid, taker oid; str makerOrderId, takerOrderId, makerAccount, takerAccount.
 * - cancelled: num remainingQty, reason (index in CANCEL_REASONS), oid; str orderId, account.
 * - replaced: num price (NaN = none), stopPrice (NaN = none), qty, priorityKept (0/1), oid.
 * - reduced: num qty, leavesQty, oid.
 * - triggered: num stopPrice, lastPrice, oid.
 */
export const A_SIDE = 0;
export const A_KIND = 1;
export const A_PRICE = 2;
export const A_QTY = 3;
export const A_TIF = 4;
export const A_POST_ONLY = 5;
export const A_STOP = 6;
export const A_DISPLAY = 7;
export const A_EXPIRE = 8;
export const A_STP = 9;
export const A_OID = 10;
export const T_ID = 0;
export const T_PRICE = 1;
export const T_QTY = 2;
export const T_AGGRESSOR = 3;
export const T_MAKER_LEAVES = 4;
export const T_TAKER_LEAVES = 5;
export const T_AUCTION = 6;
export const T_MAKER_OID = 7;
export const T_TAKER_OID = 8;

const SIDES: readonly SideName[] = ['buy', 'sell'];

export class EventBuffer {
  /** Events written for the current command. */
  length = 0;
  kind: Uint8Array;
  seq: Float64Array;
  ts: Float64Array;
  inst: Int32Array;
  num: Float64Array;
  str: (string | undefined)[];
  obj: (EngineEvent | undefined)[];
  private cap: number;
  /** Object slots written since the last clear, so clearing drops only those references. */
  private objUsed = 0;

  /** `symbols[i]` is the symbol of instrument index i (shared with the Exchange). */
  constructor(
    readonly symbols: readonly string[],
    capacity = 64,
  ) {
    this.cap = capacity;
    this.kind = new Uint8Array(capacity);
    this.seq = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
    this.inst = new Int32Array(capacity);
    this.num = new Float64Array(capacity * NUM_STRIDE);
    this.str = new Array<string | undefined>(capacity * STR_STRIDE).fill(undefined);
    this.obj = new Array<EngineEvent | undefined>(capacity).fill(undefined);
  }

  /** Starts a new command's output. */
  clear(): void {
    if (this.objUsed > 0) {
      this.obj.fill(undefined, 0, this.objUsed);
      this.objUsed = 0;
    }
    this.length = 0;
  }

  /** Reserves the next event slot of a typed kind and returns its index. */
  next(kind: number, seq: number, ts: number, inst: number): number {
    const i = this.length;
    if (i === this.cap) this.grow();
    this.length = i + 1;
    this.kind[i] = kind;
    this.seq[i] = seq;
    this.ts[i] = ts;
    this.inst[i] = inst;
    return i;
  }

  /** Appends an event that is already an object. */
  pushObject(event: EngineEvent): void {
    const i = this.next(EV_OBJECT, event.seq, event.ts, -1);
    this.obj[i] = event;
    this.objUsed = i + 1;
  }

  /** Event i as the object `Exchange.execute` returns. */
  event(i: number): EngineEvent {
    const k = this.kind[i];
    if (k === EV_OBJECT) return this.obj[i]!;
    const n = this.num;
    const s = this.str;
    const b = i * NUM_STRIDE;
    const sb = i * STR_STRIDE;
    const seq = this.seq[i];
    const ts = this.ts[i];
    const symbol = this.symbols[this.inst[i]];
    switch (k) {
      case EV_ACCEPTED: {
        const price = n[b + A_PRICE];
        const stop = n[b + A_STOP];
        const expire = n[b + A_EXPIRE];
        const stp = n[b + A_STP];
        return {
          type: 'accepted',
          seq,
          ts,
          symbol,
          orderId: s[sb]!,
          account: s[sb + 1]!,
          side: SIDES[n[b + A_SIDE]],
          kind: KIND_CODES[n[b + A_KIND]],
          price: price === price ? price : undefined,
          qty: n[b + A_QTY],
          tif: TIF_CODES[n[b + A_TIF]],
          postOnly: n[b + A_POST_ONLY] === 1 ? true : undefined,
          stopPrice: stop === stop ? stop : undefined,
          displayQty: n[b + A_DISPLAY] > 0 ? n[b + A_DISPLAY] : undefined,
          expireAt: expire === expire ? expire : undefined,
          stp: stp >= 0 ? STP_CODES[stp] : undefined,
        };
      }
      case EV_TRADE:
        return {
          type: 'trade',
          seq,
          ts,
          symbol,
          tradeId: n[b + T_ID],
          price: n[b + T_PRICE],
          qty: n[b + T_QTY],
          makerOrderId: s[sb]!,
          takerOrderId: s[sb + 1]!,
          makerAccount: s[sb + 2]!,
          takerAccount: s[sb + 3]!,
          aggressor: SIDES[n[b + T_AGGRESSOR]],
          makerLeaves: n[b + T_MAKER_LEAVES],
          takerLeaves: n[b + T_TAKER_LEAVES],
          auction: n[b + T_AUCTION] === 1,
        };
      case EV_CANCELLED:
        return {
          type: 'cancelled',
          seq,
          ts,
          symbol,
          orderId: s[sb]!,
          account: s[sb + 1]!,
          remainingQty: n[b],
          reason: CANCEL_REASONS[n[b + 1]] as CancelReason,
        };
      case EV_REPLACED: {
        const price = n[b];
        const stop = n[b + 1];
        return {
          type: 'replaced',
          seq,
          ts,
          symbol,
          orderId: s[sb]!,
          account: s[sb + 1]!,
          price: price === price ? price : undefined,
          stopPrice: stop === stop ? stop : undefined,
          qty: n[b + 2],
          priorityKept: n[b + 3] === 1,
        };
      }
      case EV_REDUCED:
        return {
          type: 'reduced',
          seq,
          ts,
          symbol,
          orderId: s[sb]!,
          account: s[sb + 1]!,
          qty: n[b],
          leavesQty: n[b + 1],
          reason: 'stp',
        };
      case EV_TRIGGERED:
        return {
          type: 'triggered',
          seq,
          ts,
          symbol,
          orderId: s[sb]!,
          account: s[sb + 1]!,
          stopPrice: n[b],
          lastPrice: n[b + 1],
        };
      default:
        throw new Error(`EventBuffer: unknown event kind ${k}`);
    }
  }

  /** Every event of the current command as objects, in order. */
  toArray(): EngineEvent[] {
    const out = new Array<EngineEvent>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.event(i);
    return out;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const k = new Uint8Array(cap);
    k.set(this.kind);
    this.kind = k;
    const seq = new Float64Array(cap);
    seq.set(this.seq);
    this.seq = seq;
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    this.ts = ts;
    const inst = new Int32Array(cap);
    inst.set(this.inst);
    this.inst = inst;
    const num = new Float64Array(cap * NUM_STRIDE);
    num.set(this.num);
    this.num = num;
    for (let j = this.cap * STR_STRIDE; j < cap * STR_STRIDE; j++) this.str.push(undefined);
    for (let j = this.cap; j < cap; j++) this.obj.push(undefined);
    this.cap = cap;
  }
}
