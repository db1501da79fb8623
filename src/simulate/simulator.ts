/**
 * The simulation driver: runs the participants of ./participants.ts against a running server
 * through the public, signed API (one authenticated WebSocket per account, the same messages as
 * any client), at a bounded order rate. Prices are ticks inside, decimal strings on the wire.
 */
import { parseStep, toSteps, type Decimal } from '../core/index.js';
import { CrossbookWs, signedRequest, type ApiKeyPair } from '../gateway/index.js';
import { Units } from '../market-data/index.js';
import {
  FairValue,
  MarketMaker,
  Rng,
  Taker,
  type OrderIntent,
  type Side,
  type Touch,
} from './participants.js';

export interface SimulatorOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Keys of the market makers (at least one). */
  makers: ApiKeyPair[];
  /** Keys of the takers (at least one; may be the makers' keys). */
  takers: ApiKeyPair[];
  /** Symbols to trade; default every instrument with a reference or last price. */
  symbols?: string[];
  /** Orders per second, all participants together (default 40). */
  rate?: number;
  seed?: number;
  /** Progress and problems, one line each. */
  log?: (line: string) => void;
}

export interface SimulatorStats {
  orders: number;
  rejects: number;
  fills: number;
}

interface SymbolState {
  symbol: string;
  units: Units;
  tick: Decimal;
  lot: Decimal;
  fair: FairValue;
  touch: Touch;
}

interface Participant {
  key: ApiKeyPair;
  ws: CrossbookWs;
}

interface InstrumentRow {
  symbol: string;
  tickSize: string;
  lotSize: string;
  referencePrice?: string | null;
  lastPrice?: string | null;
}

export const DEFAULT_SIM_RATE = 40;
/** How often every symbol's fair value takes a step. */
const FAIR_MOVE_MS = 250;

function steps(text: string, step: Decimal): number | undefined {
  const r = toSteps(text, step);
  return r.ok ? r.value : undefined;
}

/** Simulated market makers and takers trading through the API of the server at `url`. */
export class Simulator {
  readonly stats: SimulatorStats = { orders: 0, rejects: 0, fills: 0 };
  private stopped = false;
  private readonly wakers = new Set<() => void>();
  private loop: Promise<void> = Promise.resolve();
  private readonly rng: Rng;
  private readonly rate: number;
  private readonly log: (line: string) => void;
  /** makers[i] quotes every symbol with its own MarketMaker per symbol. */
  private readonly makerBooks = new Map<string, MarketMaker>();
  private readonly takerBooks = new Map<string, Taker>();
  private readonly syms = new Map<string, SymbolState>();
  private makers: Participant[] = [];
  private takers: Participant[] = [];

  private constructor(private readonly o: SimulatorOptions) {
    this.rng = new Rng(o.seed ?? Date.now());
    this.rate = o.rate ?? DEFAULT_SIM_RATE;
    this.log = o.log ?? (() => undefined);
    if (!(this.rate > 0)) throw new Error(`simulation rate must be > 0 orders/s, got ${o.rate}`);
    if (o.makers.length === 0 || o.takers.length === 0) {
      throw new Error('the simulation needs at least one maker key and one taker key');
    }
  }

  /** Connects every participant, posts the first quotes and starts trading. */
  static async start(o: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(o);
    try {
      await sim.init();
    } catch (err) {
      await sim.stop();
      throw err;
    }
    sim.loop = sim.run();
    return sim;
  }

  /** Settles when the simulation ends (stop(), or a lost connection). */
  get done(): Promise<void> {
    return this.loop;
  }

  /** The symbols being traded. */
  get symbols(): string[] {
    return [...this.syms.keys()];
  }

  private async init(): Promise<void> {
    const res = await signedRequest<{ instruments: InstrumentRow[] }>({
      baseUrl: this.o.url,
      method: 'GET',
      path: '/api/v1/instruments',
    });
    if (res.status !== 200) throw new Error(`GET /api/v1/instruments answered ${res.status}`);
    const wanted = this.o.symbols === undefined ? undefined : new Set(this.o.symbols);
    for (const i of res.body.instruments) {
      if (wanted !== undefined && !wanted.has(i.symbol)) continue;
      const tick = parseStep(i.tickSize);
      const ref = i.lastPrice ?? i.referencePrice;
      const anchor = ref === null || ref === undefined ? undefined : steps(ref, tick);
      if (anchor === undefined || anchor <= 0) {
        this.log(`simulate: skipping ${i.symbol}: it has no reference or last price to start from`);
        continue;
      }
      this.syms.set(i.symbol, {
        symbol: i.symbol,
        units: new Units(i.tickSize, i.lotSize),
        tick,
        lot: parseStep(i.lotSize),
        fair: new FairValue({ anchor, stepTicks: Math.max(1, Math.round(anchor / 8000)) }),
        touch: {},
      });
    }
    for (const s of wanted ?? []) {
      if (!this.syms.has(s)) throw new Error(`simulate: the server has no instrument ${s}`);
    }
    if (this.syms.size === 0) throw new Error('simulate: no instrument to trade');

    const wsUrl = this.o.url.replace(/^http/, 'ws') + '/ws';
    const connect = async (key: ApiKeyPair, isMaker: boolean): Promise<Participant> => {
      const ws = await CrossbookWs.connect(wsUrl);
      const auth = await ws.auth(key);
      if (!auth.ok) {
        await ws.close();
        throw new Error(`simulate: key ${key.keyId} was refused: ${auth.error?.message}`);
      }
      ws.onMessage = (m) => this.onMessage(key.keyId, isMaker, m);
      return { key, ws };
    };
    for (const k of this.o.makers) this.makers.push(await connect(k, true));
    for (const k of this.o.takers) this.takers.push(await connect(k, false));
    // The first taker follows the touch of every symbol.
    for (const s of this.syms.keys()) {
      const r = await this.takers[0].ws.request('subscribe', { channel: 'l1', symbol: s });
      if (!r.ok) throw new Error(`simulate: cannot subscribe to ${s}: ${r.error?.message}`);
    }
    for (const m of this.makers) for (const s of this.syms.keys()) await this.requote(m, s);
    this.log(
      `simulate: ${this.makers.length} market makers and ${this.takers.length} takers on ${this.symbols.join(', ')} at about ${this.rate} orders/s`,
    );
  }

  private maker(keyId: string, symbol: string): MarketMaker {
    const k = `${keyId}\u0000${symbol}`;
    let m = this.makerBooks.get(k);
    if (m === undefined) this.makerBooks.set(k, (m = new MarketMaker()));
    return m;
  }

  private taker(keyId: string, symbol: string): Taker {
    const k = `${keyId}\u0000${symbol}`;
    let t = this.takerBooks.get(k);
    if (t === undefined) this.takerBooks.set(k, (t = new Taker()));
    return t;
  }

  private onMessage(keyId: string, isMaker: boolean, m: Record<string, unknown>): void {
    if (m.type === 'l1') {
      const s = this.syms.get(m.symbol as string);
      if (s === undefined) return;
      const px = (side: unknown) =>
        side === null || side === undefined
          ? undefined
          : steps((side as { price: string }).price, s.tick);
      s.touch = { bid: px(m.bid), ask: px(m.ask) };
      return;
    }
    if (m.type === 'execution' && m.exec === 'fill') {
      const f = m.fill as { symbol: string; side: Side; qty: string };
      const s = this.syms.get(f.symbol);
      const lots = s === undefined ? undefined : steps(f.qty, s.lot);
      if (lots === undefined) return;
      this.stats.fills++;
      if (isMaker) this.maker(keyId, f.symbol).onFill(f.side, lots);
      else this.taker(keyId, f.symbol).onFill(f.side, lots);
    }
  }

  /** Sends one order; returns whether it was accepted. */
  private async send(p: Participant, s: SymbolState, intent: OrderIntent): Promise<boolean> {
    const msg: Record<string, unknown> = {
      symbol: s.symbol,
      side: intent.side,
      kind: intent.kind,
      qty: s.units.qty(intent.qty),
    };
    if (intent.price !== undefined) msg.price = s.units.price(intent.price);
    if (intent.stopPrice !== undefined) msg.stopPrice = s.units.price(intent.stopPrice);
    if (intent.displayQty !== undefined) msg.displayQty = s.units.qty(intent.displayQty);
    if (intent.tif !== undefined) msg.tif = intent.tif;
    if (intent.tif === 'GTD') msg.expireAt = Date.now() + (intent.ttlMs ?? 30_000);
    if (intent.postOnly) msg.postOnly = true;
    this.stats.orders++;
    const r = await p.ws.request('place', msg);
    if (!r.ok) this.stats.rejects++;
    return r.ok;
  }

  /** Cancels a maker's quotes in one symbol and posts fresh ones; returns the orders sent. */
  private async requote(p: Participant, symbol: string): Promise<number> {
    const s = this.syms.get(symbol)!;
    const mm = this.maker(p.key.keyId, symbol);
    await p.ws.request('massCancel', { symbol });
    // Every fill of the cancelled quotes was reported before the reply: the position is exact.
    const q = mm.quotes(s.fair.ticks, this.rng);
    let sent = 1;
    for (const [price, qty] of q.bids) {
      await this.send(p, s, { side: 'buy', kind: 'limit', price, qty, tif: 'GTC', postOnly: true });
      sent++;
    }
    for (const [price, qty] of q.asks) {
      await this.send(p, s, {
        side: 'sell',
        kind: 'limit',
        price,
        qty,
        tif: 'GTC',
        postOnly: true,
      });
      sent++;
    }
    return sent;
  }

  /** One maker action: requote a random symbol. */
  private async makerStep(p: Participant): Promise<number> {
    return this.requote(p, this.rng.pick(this.symbols));
  }

  /** One taker action: an order in a random symbol (or nothing when the book gives no touch). */
  private async takerStep(p: Participant): Promise<number> {
    const s = this.syms.get(this.rng.pick(this.symbols))!;
    const intent = this.taker(p.key.keyId, s.symbol).next(s.fair.ticks, s.touch, this.rng);
    if (intent !== undefined) await this.send(p, s, intent);
    return 1;
  }

  /**
   * Each participant runs its own loop at its share of the rate (60% for the makers, 40% for
   * the takers), paced by a schedule so that the server's answer time is part of the budget.
   */
  private async run(): Promise<void> {
    const mover = setInterval(() => {
      for (const s of this.syms.values()) s.fair.move(this.rng);
    }, FAIR_MOVE_MS);
    const loops = [
      ...this.makers.map((p) =>
        this.pace((this.rate * 0.6) / this.makers.length, () => this.makerStep(p)),
      ),
      ...this.takers.map((p) =>
        this.pace((this.rate * 0.4) / this.takers.length, () => this.takerStep(p)),
      ),
    ];
    await Promise.all(loops);
    clearInterval(mover);
  }

  private async pace(rate: number, step: () => Promise<number>): Promise<void> {
    let due = Date.now();
    while (!this.stopped) {
      let sent = 1;
      try {
        sent = await step();
      } catch (err) {
        if (!this.stopped) this.log(`simulate: stopped: ${(err as Error).message}`);
        this.stopped = true;
        for (const w of [...this.wakers]) w();
        return;
      }
      const now = Date.now();
      due = Math.max(due, now - 1000) + (sent * 1000) / rate;
      if (due <= now) continue;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          this.wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, due - now);
        this.wakers.add(wake);
      });
    }
  }

  /** Stops sending and closes the connections; resting quotes stay on the book. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of [...this.wakers]) w();
    await this.loop.catch(() => undefined);
    await Promise.all([...this.makers, ...this.takers].map((p) => p.ws.close()));
  }
}
