import { appendFileSync, existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { MsgView } from 'jspurefix';
import type { Logger } from 'pino';
import {
  ApiError,
  orderView,
  sameSignature,
  sign,
  type Execution,
  type KeyResolver,
  type OrderRecord,
  type OrderRegistry,
  type OrderService,
  type Principal,
} from '../gateway/index.js';
import type { MarketData, MarketDataMessage } from '../market-data/index.js';
import type { CrossbookSession } from './session.js';
import {
  FieldError,
  clOrdId,
  ordRejReason,
  placeBody,
  replaceBody,
  required,
  REJECT,
  type Fields,
} from './translate.js';

export const TARGET_COMP_ID = 'CROSSBOOK';

export interface LogonFields {
  keyId: string;
  signature: string;
  sendingTime: string;
  msgSeqNum: string;
  senderCompId: string;
  targetCompId: string;
}

export interface FixAdapterOptions {
  service: OrderService;
  orders: OrderRegistry;
  marketData: MarketData;
  resolveKey: KeyResolver;
  /** Folder for the CompID bindings and the ClOrdID chains (inside the data dir). */
  dir: string;
  logger: Logger;
}

/** The text a FIX Logon signs (docs/fix.md). */
export const logonPayload = (l: Omit<LogonFields, 'keyId' | 'signature'>) =>
  `${l.sendingTime}${l.msgSeqNum}${l.senderCompId}${l.targetCompId}`;

interface MdSub {
  reqId: string;
  depth: number;
  types: Set<string>;
  bids: Set<string>;
  asks: Set<string>;
}

const SIDE: Record<string, string> = { buy: '1', sell: '2' };
const ORD_TYPE: Record<string, string> = { market: '1', limit: '2', stop: '3', stopLimit: '4' };
const TIF: Record<string, string> = { DAY: '0', GTC: '1', IOC: '3', FOK: '4', GTD: '6' };

function ordStatus(o: OrderRecord): string {
  switch (o.status) {
    case 'partiallyFilled':
      return '1';
    case 'filled':
      return '2';
    case 'cancelled':
      return o.cancelReason === 'expired' ? 'C' : '4';
    case 'rejected':
      return '8';
    default:
      return '0';
  }
}

const textOf = (err: ApiError) => `${err.reason}: ${err.message}`;

/**
 * The FIX adapter: FIX messages in, OrderService calls out, execution reports from the order
 * registry's stream (the same one the WebSocket gateway uses), market data from MarketData.
 * Nothing here validates, risk-checks or assigns ids: the service does, as for HTTP and WS.
 */
export class FixAdapter {
  private readonly byAccount = new Map<string, Set<CrossbookSession>>();
  private readonly principals = new WeakMap<CrossbookSession, Principal>();
  private readonly md = new WeakMap<CrossbookSession, Map<string, MdSub>>();
  private readonly mdSessions = new Set<CrossbookSession>();
  /** account \0 ClOrdID of a cancel or replace -> order id (persisted: clordids.jsonl). */
  private readonly aliases = new Map<string, string>();
  /** order id -> the latest ClOrdID of its chain. */
  private readonly latest = new Map<string, string>();
  /** order id -> the ClOrdIDs of a cancel or replace in flight. */
  private readonly pending = new Map<string, { clOrdId: string; orig: string }>();
  /** SenderCompID -> API key id, bound at first logon (persisted: compids.json). */
  private readonly compIds: Record<string, string>;
  private readonly offs: (() => void)[] = [];
  private execCounter = 0;

  /** Where the sessions keep their stores. */
  readonly storeDir: string;

  constructor(private readonly o: FixAdapterOptions) {
    this.storeDir = join(o.dir, 'store');
    const compPath = join(o.dir, 'compids.json');
    this.compIds = existsSync(compPath)
      ? (JSON.parse(readFileSync(compPath, 'utf8')) as Record<string, string>)
      : {};
    const chainPath = join(o.dir, 'clordids.jsonl');
    if (existsSync(chainPath)) {
      for (const line of readFileSync(chainPath, 'utf8').split('\n')) {
        if (line === '') continue;
        try {
          const r = JSON.parse(line) as { a: string; c: string; o: string };
          this.aliases.set(`${r.a}\u0000${r.c}`, r.o);
          this.latest.set(r.o, r.c);
        } catch {
          // A torn last line after a crash: the alias it named was never acknowledged.
        }
      }
    }
    this.offs.push(o.orders.onExecution((e) => this.onExecution(e)));
    this.offs.push(o.marketData.subscribe((symbol, msg) => this.onMarketData(symbol, msg)));
  }

  close(): void {
    for (const off of this.offs) off();
  }

  // ---- session lifecycle -------------------------------------------------------------------

  async logon(s: CrossbookSession, l: LogonFields): Promise<boolean> {
    if (l.targetCompId !== TARGET_COMP_ID) {
      throw new Error(`TargetCompID must be ${TARGET_COMP_ID}`);
    }
    if (l.keyId === '') throw new Error('Username (553) must be an API key id');
    if (!/^[0-9a-f]{64}$/.test(l.signature)) {
      throw new Error('RawData (96) must be 64 lowercase hex digits');
    }
    const key = await this.o.resolveKey(l.keyId);
    if (key === undefined) throw new Error(`Unknown or revoked API key ${l.keyId}`);
    if (!sameSignature(sign(key.secret, logonPayload(l)), l.signature)) {
      throw new Error(
        'Bad signature: expected HMAC-SHA256 of SendingTime + MsgSeqNum + SenderCompID + TargetCompID',
      );
    }
    const bound = this.compIds[l.senderCompId];
    if (bound !== undefined && bound !== l.keyId) {
      throw new Error(`SenderCompID ${l.senderCompId} is bound to another API key`);
    }
    if (bound === undefined) {
      this.compIds[l.senderCompId] = l.keyId;
      const path = join(this.o.dir, 'compids.json');
      writeFileSync(`${path}.tmp`, JSON.stringify(this.compIds, null, 2));
      renameSync(`${path}.tmp`, path);
    }
    const p: Principal = { account: key.account, role: key.role, keyId: l.keyId };
    this.principals.set(s, p);
    s.account = p.account;
    return true;
  }

  ready(s: CrossbookSession): void {
    const p = this.principals.get(s);
    if (p === undefined) return;
    let set = this.byAccount.get(p.account);
    if (set === undefined) this.byAccount.set(p.account, (set = new Set()));
    set.add(s);
  }

  stopped(s: CrossbookSession): void {
    const p = this.principals.get(s);
    if (p !== undefined) this.byAccount.get(p.account)?.delete(s);
    this.mdSessions.delete(s);
    this.md.delete(s);
  }

  // ---- application messages ----------------------------------------------------------------

  onMessage(s: CrossbookSession, msgType: string, view: MsgView, f: Fields): void {
    const p = this.principals.get(s);
    if (p === undefined) return;
    try {
      switch (msgType) {
        case 'D':
          this.place(s, p, f);
          return;
        case 'F':
          this.cancel(s, p, f);
          return;
        case 'G':
          this.replace(s, p, f);
          return;
        case 'q':
          this.massCancel(s, p, f);
          return;
        case 'V':
          this.marketDataRequest(s, view, f);
          return;
        default:
          // Known to FIX 4.4 but not offered here: a business reject names it.
          s.sendApp('j', {
            RefSeqNum: Number(f.get(34)),
            RefMsgType: msgType,
            BusinessRejectReason: 3,
            Text: `unsupported_message: MsgType ${msgType} is not supported`,
          });
      }
    } catch (err) {
      if (err instanceof FieldError) {
        s.reject(view, err.tag, err.reason, err.message);
        return;
      }
      throw err;
    }
  }

  private place(s: CrossbookSession, p: Principal, f: Fields): void {
    const body = placeBody(f);
    const cl = body.clientOrderId as string;
    // The view is only valid during this call: keep what a reject needs.
    const echo = { symbol: f.get(55) ?? '', side: f.get(54) ?? '1', qty: f.get(38) };
    this.o.service.place(p, body).then(
      (r) => {
        // A retry (PossDup resend, or the same ClOrdID again) is answered with the order's state.
        if (r.status === 200) {
          const o = this.o.orders.get(r.body.order.orderId);
          if (o !== undefined) {
            const er = this.report(o, 'I', `${o.orderId}-S${o.updatedTs}`);
            if (!this.latest.has(o.orderId)) er.ClOrdID = cl;
            this.send(s, er);
          }
        }
      },
      (err: unknown) => this.rejectNew(s, echo, cl, err),
    );
  }

  private rejectNew(
    s: CrossbookSession,
    echo: { symbol: string; side: string; qty: string | undefined },
    cl: string,
    err: unknown,
  ): void {
    const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
    const body: Record<string, unknown> = {
      OrderID: 'NONE',
      ClOrdID: cl,
      ExecID: `REJ-${Date.now().toString(36)}-${++this.execCounter}`,
      ExecType: '8',
      OrdStatus: '8',
      Instrument: { Symbol: echo.symbol },
      Side: echo.side,
      LeavesQty: '0',
      CumQty: '0',
      AvgPx: '0',
      OrdRejReason: ordRejReason(e.reason),
      Text: textOf(e),
      TransactTime: new Date(),
    };
    if (echo.qty !== undefined) body.OrderQtyData = { OrderQty: echo.qty };
    s.sendApp('8', body);
  }

  /** The order a cancel or replace names by OrigClOrdID, if this gateway can find it now. */
  private locate(p: Principal, orig: string): { ref: string; order?: OrderRecord } {
    const alias = this.aliases.get(`${p.account}\u0000${orig}`);
    if (alias !== undefined) {
      return { ref: alias, order: this.o.orders.getOwned(p.account, alias) };
    }
    const o = this.o.orders.byClientOrderId(p.account, orig);
    if (o !== undefined) return { ref: o.orderId, order: o };
    return { ref: `client:${orig}` };
  }

  private cancel(s: CrossbookSession, p: Principal, f: Fields): void {
    const cl = clOrdId(f, 11, 'ClOrdID');
    const orig = clOrdId(f, 41, 'OrigClOrdID');
    const { ref, order } = this.locate(p, orig);
    if (order !== undefined) this.pending.set(order.orderId, { clOrdId: cl, orig });
    this.o.service.cancel(p, ref).then(
      (r) => this.commitAlias(p, r.order.orderId, cl),
      (err: unknown) => {
        if (order !== undefined) this.pending.delete(order.orderId);
        this.cancelReject(s, '1', cl, orig, order, err);
      },
    );
  }

  private replace(s: CrossbookSession, p: Principal, f: Fields): void {
    const cl = clOrdId(f, 11, 'ClOrdID');
    const orig = clOrdId(f, 41, 'OrigClOrdID');
    const { ref, order } = this.locate(p, orig);
    if (order === undefined) {
      this.cancelReject(
        s,
        '2',
        cl,
        orig,
        undefined,
        new ApiError('unknown_order', `Unknown order ${orig}`),
      );
      return;
    }
    const built = replaceBody(f, this.o.service.units(order.symbol), order.filled);
    if ('refuse' in built) {
      const [reason, ...rest] = built.refuse.split(': ');
      this.cancelReject(
        s,
        '2',
        cl,
        orig,
        order,
        new ApiError(reason as 'invalid_qty', rest.join(': ')),
      );
      return;
    }
    this.pending.set(order.orderId, { clOrdId: cl, orig });
    this.o.service.replace(p, ref, built.body).then(
      (r) => this.commitAlias(p, r.order.orderId, cl),
      (err: unknown) => {
        this.pending.delete(order.orderId);
        this.cancelReject(s, '2', cl, orig, order, err);
      },
    );
  }

  private commitAlias(p: Principal, orderId: string, cl: string): void {
    const key = `${p.account}\u0000${cl}`;
    if (this.aliases.get(key) === orderId) return;
    this.aliases.set(key, orderId);
    this.latest.set(orderId, cl);
    this.pending.delete(orderId);
    appendFileSync(
      join(this.o.dir, 'clordids.jsonl'),
      JSON.stringify({ a: p.account, c: cl, o: orderId }) + '\n',
    );
  }

  private cancelReject(
    s: CrossbookSession,
    responseTo: '1' | '2',
    cl: string,
    orig: string,
    order: OrderRecord | undefined,
    err: unknown,
  ): void {
    let e = err instanceof ApiError ? err : new ApiError('internal', String(err));
    // Name the order as the client did, never by the service's internal reference.
    if (e.reason === 'unknown_order') e = new ApiError('unknown_order', `Unknown order ${orig}`);
    s.sendApp('9', {
      OrderID: order?.orderId ?? 'NONE',
      ClOrdID: cl,
      OrigClOrdID: orig,
      OrdStatus: order === undefined ? '8' : ordStatus(order),
      CxlRejResponseTo: responseTo,
      CxlRejReason: e.reason === 'unknown_order' ? 1 : 99,
      Text: textOf(e),
    });
  }

  private massCancel(s: CrossbookSession, p: Principal, f: Fields): void {
    const cl = clOrdId(f, 11, 'ClOrdID');
    const type = required(f, 530, 'MassCancelRequestType');
    if (type !== '1' && type !== '7') {
      throw new FieldError(
        530,
        REJECT.valueOutOfRange,
        'MassCancelRequestType (530) must be 1 or 7',
      );
    }
    const symbol = type === '1' ? required(f, 55, 'Symbol') : undefined;
    const base = { ClOrdID: cl, OrderID: `MC-${cl}`, MassCancelRequestType: type };
    this.o.service.massCancel(p, symbol).then(
      (r) =>
        s.sendApp('r', {
          ...base,
          MassCancelResponse: type,
          TotalAffectedOrders: r.cancelled,
          ...(symbol === undefined ? {} : { Instrument: { Symbol: symbol } }),
        }),
      (err: unknown) => {
        const e = err instanceof ApiError ? err : new ApiError('internal', String(err));
        s.sendApp('r', {
          ...base,
          MassCancelResponse: '0',
          MassCancelRejectReason: e.reason === 'unknown_symbol' ? 1 : 99,
          Text: textOf(e),
        });
      },
    );
  }

  // ---- execution reports -------------------------------------------------------------------

  private onExecution(e: Execution): void {
    const sessions = this.byAccount.get(e.account);
    if (sessions === undefined || sessions.size === 0 || e.order === undefined) return;
    const o = e.order;
    let body: Record<string, unknown>;
    switch (e.exec) {
      case 'accepted':
        body = this.report(o, '0', `${o.orderId}-0`);
        break;
      case 'fill': {
        const fill = e.fill!;
        body = this.report(o, 'F', `${o.orderId}-T${fill.tradeId}`);
        const u = this.o.service.units(o.symbol);
        const v = orderView({ ...o, filled: fill.qty, filledNotional: fill.price * fill.qty }, u);
        body.LastPx = v.avgPrice;
        body.LastQty = v.filledQty;
        break;
      }
      case 'cancelled':
        body = this.report(o, o.cancelReason === 'expired' ? 'C' : '4', `${o.orderId}-X`);
        break;
      case 'replaced':
        body = this.report(o, '5', `${o.orderId}-R${o.updatedTs}`);
        break;
      default:
        // Rejections are answered to the request itself; a stop's trigger shows in later reports.
        return;
    }
    for (const s of sessions) this.send(s, body);
  }

  private send(s: CrossbookSession, body: Record<string, unknown>): void {
    s.sendApp('8', body);
  }

  /** An ExecutionReport (8) for the order's current state. */
  private report(o: OrderRecord, execType: string, execId: string): Record<string, unknown> {
    const v = orderView(o, this.o.service.units(o.symbol));
    const pend = execType === '4' || execType === '5' ? this.pending.get(o.orderId) : undefined;
    if (pend !== undefined) {
      this.latest.set(o.orderId, pend.clOrdId);
    }
    const cl = pend?.clOrdId ?? this.latest.get(o.orderId) ?? o.clientOrderId ?? o.orderId;
    const body: Record<string, unknown> = {
      OrderID: o.orderId,
      ClOrdID: cl,
      ExecID: execId,
      ExecType: execType,
      OrdStatus: ordStatus(o),
      Instrument: { Symbol: o.symbol },
      Side: SIDE[o.side],
      OrderQtyData: { OrderQty: v.qty },
      OrdType: ORD_TYPE[o.kind],
      TimeInForce: TIF[o.tif],
      LeavesQty: v.leavesQty,
      CumQty: v.filledQty,
      AvgPx: v.avgPrice ?? '0',
      TransactTime: new Date(Math.floor(o.updatedTs / 1e6)),
    };
    if (pend !== undefined) body.OrigClOrdID = pend.orig;
    if (v.price !== null) body.Price = v.price;
    if (v.stopPrice !== null) body.StopPx = v.stopPrice;
    if (v.displayQty !== null) body.MaxFloor = v.displayQty;
    if (o.postOnly) body.ExecInst = '6';
    if (o.cancelReason !== undefined && execType === '4') body.Text = o.cancelReason;
    return body;
  }

  // ---- market data -------------------------------------------------------------------------

  private marketDataRequest(s: CrossbookSession, view: MsgView, f: Fields): void {
    const reqId = required(f, 262, 'MDReqID');
    const subType = required(f, 263, 'SubscriptionRequestType');
    if (subType !== '0' && subType !== '1' && subType !== '2') {
      throw new FieldError(
        263,
        REJECT.valueOutOfRange,
        'SubscriptionRequestType (263) must be 0, 1 or 2',
      );
    }
    const obj = view.toObject() as Record<string, unknown>;
    const symbols = collect(obj, 'Symbol');
    const types = new Set(collect(obj, 'MDEntryType'));
    const subs = this.md.get(s) ?? new Map<string, MdSub>();
    if (subType === '2') {
      for (const [sym, sub] of subs) if (sub.reqId === reqId) subs.delete(sym);
      return;
    }
    const depthText = f.get(264) ?? '0';
    if (!/^\d{1,9}$/.test(depthText)) {
      throw new FieldError(264, REJECT.incorrectDataFormat, 'MarketDepth (264) must be an integer');
    }
    if (symbols.length === 0) required(f, 55, 'Symbol');
    for (const t of types) {
      if (t !== '0' && t !== '1' && t !== '2') {
        s.sendApp('Y', {
          MDReqID: reqId,
          MDReqRejReason: '8',
          Text: `unsupported MDEntryType ${t}`,
        });
        return;
      }
    }
    for (const sym of symbols) {
      if (!this.o.marketData.has(sym)) {
        s.sendApp('Y', {
          MDReqID: reqId,
          MDReqRejReason: '0',
          Text: `unknown_symbol: Unknown symbol ${sym}`,
        });
        return;
      }
    }
    const depth = Number(depthText);
    for (const sym of symbols) {
      const snap = this.o.marketData.l2Snapshot(sym, depth === 0 ? undefined : depth)!;
      const sub: MdSub = {
        reqId,
        depth,
        types: types.size === 0 ? new Set(['0', '1', '2']) : types,
        bids: new Set(snap.bids.map((b) => b[0])),
        asks: new Set(snap.asks.map((a) => a[0])),
      };
      const entries: Record<string, unknown>[] = [];
      if (sub.types.has('0')) {
        for (const [px, qty] of snap.bids)
          entries.push({ MDEntryType: '0', MDEntryPx: px, MDEntrySize: qty });
      }
      if (sub.types.has('1')) {
        for (const [px, qty] of snap.asks)
          entries.push({ MDEntryType: '1', MDEntryPx: px, MDEntrySize: qty });
      }
      s.sendApp('W', {
        MDReqID: reqId,
        Instrument: { Symbol: sym },
        MDFullGrp: { NoMDEntries: entries },
      });
      if (subType === '1') {
        subs.set(sym, sub);
        this.md.set(s, subs);
        this.mdSessions.add(s);
      }
    }
  }

  private onMarketData(symbol: string, msg: MarketDataMessage): void {
    if (this.mdSessions.size === 0) return;
    if (msg.type !== 'l2' && msg.type !== 'trade') return;
    for (const s of this.mdSessions) {
      const sub = this.md.get(s)?.get(symbol);
      if (sub === undefined) continue;
      const entries: Record<string, unknown>[] = [];
      if (msg.type === 'trade') {
        if (!sub.types.has('2')) continue;
        entries.push({
          MDUpdateAction: '0',
          MDEntryType: '2',
          Instrument: { Symbol: symbol },
          MDEntryPx: msg.price,
          MDEntrySize: msg.qty,
        });
      } else {
        const side = (levels: [string, string][], type: '0' | '1', known: Set<string>) => {
          if (!sub.types.has(type)) return;
          for (const [px, qty] of levels) {
            if (qty === '0' || /^0(\.0+)?$/.test(qty)) {
              if (!known.delete(px)) continue;
              entries.push({
                MDUpdateAction: '2',
                MDEntryType: type,
                Instrument: { Symbol: symbol },
                MDEntryPx: px,
              });
            } else {
              const action = known.has(px) ? '1' : '0';
              known.add(px);
              entries.push({
                MDUpdateAction: action,
                MDEntryType: type,
                Instrument: { Symbol: symbol },
                MDEntryPx: px,
                MDEntrySize: qty,
              });
            }
          }
        };
        side(msg.bids, '0', sub.bids);
        side(msg.asks, '1', sub.asks);
      }
      if (entries.length > 0) {
        s.sendApp('X', { MDReqID: sub.reqId, MDIncGrp: { NoMDEntries: entries } });
      }
    }
  }
}

/** Every value of `name` anywhere in a decoded message (groups included). */
function collect(o: unknown, name: string, out: string[] = []): string[] {
  if (Array.isArray(o)) {
    for (const x of o) collect(x, name, out);
  } else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      if (k === name && (typeof v === 'string' || typeof v === 'number')) out.push(String(v));
      else if (k !== 'StandardHeader' && k !== 'StandardTrailer') collect(v, name, out);
    }
  }
  return out;
}
