import {
  Feed,
  publicGet,
  type ConnState,
  type Instrument,
  type ServerMessage,
  type Trade,
} from '../api';
import { L2Book } from './book';
import { mark } from './frame';
import { Tape } from './tape';

export interface Quote {
  bid: { price: string; qty: string } | null;
  ask: { price: string; qty: string } | null;
}

/**
 * Public market data for the selected symbol (L2 book and trades) plus best bid/offer of every
 * symbol, all from the feed. After a sequence gap the L2 subscription is retaken, whose snapshot
 * resyncs the book; after a reconnect the trade history is refetched and merged.
 */
export class Market {
  instruments: Instrument[] = [];
  instrumentsError: string | null = null;
  symbol = '';
  book: L2Book | null = null;
  tape = new Tape();
  readonly quotes = new Map<string, Quote>();
  readonly phases = new Map<string, string>();
  conn: ConnState;
  readonly feed: Feed;
  /** Private messages go to the session. */
  onPrivate: (msg: ServerMessage) => void = () => undefined;
  onReconnect: () => void = () => undefined;

  constructor(opts: {
    wsUrl: string;
    auth: () => Promise<Record<string, unknown> | undefined>;
    onClock(ms: number): void;
  }) {
    this.feed = new Feed({
      url: opts.wsUrl,
      onMessage: (m) => this.onMessage(m),
      onState: (s) => {
        this.conn = s;
        // Until the next snapshot the ladder is stale: say so rather than show it as live.
        if (s.status !== 'open' && this.book !== null) this.book.synced = false;
        mark('conn');
        mark('book');
      },
      onReady: () => {
        void this.loadTrades(this.symbol);
        this.onReconnect();
      },
      auth: opts.auth,
      onClock: opts.onClock,
    });
    this.conn = this.feed.state;
  }

  async start(): Promise<void> {
    this.feed.start();
    await this.loadInstruments();
    setInterval(() => void this.loadInstruments(), 5000);
  }

  instrument(symbol = this.symbol): Instrument | undefined {
    return this.instruments.find((i) => i.symbol === symbol);
  }

  async loadInstruments(): Promise<void> {
    try {
      const r = await publicGet<{ instruments: Instrument[] }>('/api/v1/instruments');
      const first = this.instruments.length === 0;
      this.instruments = r.instruments;
      this.instrumentsError = null;
      for (const i of r.instruments) {
        this.phases.set(i.symbol, i.phase);
        this.feed.subscribe('l1', i.symbol);
      }
      if (first && r.instruments.length > 0) {
        const wanted = new URLSearchParams(location.search).get('symbol');
        const pick = r.instruments.find((i) => i.symbol === wanted) ?? r.instruments[0];
        this.select(pick.symbol);
      }
    } catch (err) {
      this.instrumentsError = (err as Error).message;
    }
    mark('instruments');
  }

  select(symbol: string): void {
    if (symbol === this.symbol) return;
    const inst = this.instrument(symbol);
    if (inst === undefined) return;
    if (this.symbol !== '') {
      this.feed.unsubscribe('l2', this.symbol);
      this.feed.unsubscribe('trades', this.symbol);
    }
    this.symbol = symbol;
    this.book = new L2Book(symbol, inst);
    this.tape = new Tape();
    this.feed.subscribe('l2', symbol);
    this.feed.subscribe('trades', symbol);
    void this.loadTrades(symbol);
    mark('instruments');
    mark('book');
    mark('trades');
    mark('orders');
  }

  private async loadTrades(symbol: string): Promise<void> {
    if (symbol === '') return;
    try {
      const r = await publicGet<{ trades: Trade[] }>(
        `/api/v1/trades/${encodeURIComponent(symbol)}?limit=1000`,
      );
      if (symbol !== this.symbol) return;
      this.tape.merge(r.trades);
      mark('trades');
    } catch {
      // The stream still delivers new trades; history returns on the next reconnect.
    }
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'l2': {
        const book = this.book;
        if (book === null || m.symbol !== book.symbol) return;
        if (m.kind === 'snapshot') book.applySnapshot(m);
        else if (book.applyUpdate(m) === 'gap') this.feed.resubscribe('l2', book.symbol);
        mark('book');
        return;
      }
      case 'l1':
        this.quotes.set(m.symbol, { bid: m.bid, ask: m.ask });
        mark('instruments');
        return;
      case 'trade': {
        if (m.symbol !== this.symbol) return;
        const { type: _t, ...t } = m;
        if (this.tape.push(t)) mark('trades');
        const inst = this.instrument(m.symbol);
        if (inst !== undefined) inst.lastPrice = m.price;
        mark('instruments');
        return;
      }
      case 'status':
        this.phases.set(m.symbol, m.phase);
        mark('instruments');
        return;
      default:
        this.onPrivate(m);
    }
  }
}
