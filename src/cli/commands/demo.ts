/**
 * `crossbook demo`: the seed's market-open story for MSFT. Trader A buys 1000 @ 420.50 and trader
 * B sells 1000 @ 420.00 during the pre-open call, among other resting interest; the opening
 * auction uncrosses them at one price, then continuous trading walks the book. The tables show
 * that exactly the quantity available traded: never 2000 shares where 1000 existed.
 */
import type { Command as Program } from 'commander';
import { Exchange, type EngineEvent } from '../../core/index.js';
import {
  formatEvent,
  InstrumentRegistry,
  parseCommand,
  type WireEvent,
} from '../../protocol/index.js';

const SYMBOL = 'MSFT';

interface Step {
  /** What a person reads above the step's events. */
  title: string;
  commands: Record<string, unknown>[];
}

/** Nanoseconds since midnight: the engine clock of the story. */
const at = (hh: number, mm: number, ss = 0) => ((hh * 60 + mm) * 60 + ss) * 1_000_000_000;

function order(
  orderId: string,
  side: 'buy' | 'sell',
  qty: string,
  price: string | undefined,
  ts: number,
): Record<string, unknown> {
  const cmd: Record<string, unknown> = {
    type: 'place',
    symbol: SYMBOL,
    orderId,
    account: orderId.split('-')[0],
    side,
    kind: price === undefined ? 'market' : 'limit',
    qty,
    ts,
  };
  if (price !== undefined) cmd.price = price;
  return cmd;
}

const STORY: Step[] = [
  {
    title: '09:00 MSFT is listed and the pre-open call starts: orders rest, nothing matches yet',
    commands: [
      {
        type: 'instrument',
        symbol: SYMBOL,
        tickSize: '0.01',
        lotSize: '1',
        referencePrice: '420.25',
        bandPct: '5',
        phase: 'preopen',
        ts: at(9, 0),
      },
      order('MM1-1', 'sell', '300', '420.30', at(9, 5)),
      order('MM2-1', 'buy', '500', '419.90', at(9, 5)),
      order('C-1', 'buy', '300', '420.10', at(9, 12)),
      order('MM1-2', 'sell', '400', '420.70', at(9, 20)),
      // The seed's two traders, in the same millisecond just before the open.
      order('A-1', 'buy', '1000', '420.50', at(9, 29, 59)),
      order('B-1', 'sell', '1000', '420.00', at(9, 29, 59)),
    ],
  },
  {
    title: '09:30 the market opens: the opening auction uncrosses the book at one price',
    commands: [{ type: 'phase', symbol: SYMBOL, phase: 'continuous', ts: at(9, 30) }],
  },
  {
    title: '09:30:05 continuous trading: D buys 500 at market and walks the ask side',
    commands: [order('D-1', 'buy', '500', undefined, at(9, 30, 5))],
  },
  { title: '', commands: [{ type: 'snapshot', symbol: SYMBOL }] },
];

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  buy(s: string): string;
  sell(s: string): string;
}

function paint(color: boolean): Paint {
  const wrap = (code: string) => (s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), buy: wrap('32'), sell: wrap('31') };
}

/** Renders rows as an aligned table; `right` lists the columns aligned to the right (numbers). */
function table(headers: string[], rows: string[][], right: number[]): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => visible(r[i]).length)),
  );
  const cell = (text: string, i: number) => {
    const pad = ' '.repeat(widths[i] - visible(text).length);
    return right.includes(i) ? pad + text : text + pad;
  };
  const line = (cells: string[]) => ('  ' + cells.map(cell).join('  ')).trimEnd();
  const rule = '  ' + widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Text without ANSI colour codes, for measuring widths. */
// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

export interface DemoOutput {
  text: string;
  auctionVolume: number;
  /** What trader A and trader B each traded. */
  a1: number;
  b1: number;
  /** Every order satisfies filled + open + cancelled = quantity, checked from events alone. */
  balanced: boolean;
}

/** Runs the story on a fresh core Exchange and renders it. Pure apart from the returned text. */
export function runDemo(color: boolean): DemoOutput {
  const p = paint(color);
  const ex = new Exchange();
  const registry = new InstrumentRegistry();
  const out: string[] = [];
  const trades: WireEvent[] = [];
  const ledger: WireEvent[] = [];
  let lastBook: WireEvent | undefined;
  const side = (s: unknown) => (s === 'buy' ? p.buy('BUY ') : p.sell('SELL'));

  out.push(p.bold('crossbook demo: the MSFT market open'), '');
  for (const step of STORY) {
    if (step.title !== '') out.push(p.bold(`> ${step.title}`));
    const rows: string[][] = [];
    for (const raw of step.commands) {
      const parsed = parseCommand(raw, registry);
      if (!parsed.ok) throw new Error(`demo script is wrong: ${parsed.message}`);
      const events: EngineEvent[] = ex.execute(parsed.command);
      for (const e of events) {
        registry.observe(e);
        const w = formatEvent(e, registry);
        if (w.type === 'trade') trades.push(w);
        if (w.type === 'accepted' || w.type === 'cancelled') ledger.push(w);
        if (w.type === 'book') lastBook = w;
        const row = describe(w, side, p);
        if (row !== null) rows.push(row);
      }
    }
    if (rows.length > 0) {
      out.push(table(['event', 'order', 'side', 'qty', 'price', 'detail'], rows, [3, 4]), '');
    }
  }

  out.push(p.bold('Trades'));
  const tradeRows = trades.map((t) => {
    const buyer = t.aggressor === 'buy' ? t.takerOrderId : t.makerOrderId;
    const seller = t.aggressor === 'buy' ? t.makerOrderId : t.takerOrderId;
    const how = t.auction === true ? 'opening auction' : `${String(t.aggressor)} aggressor`;
    return [t.tradeId, buyer, seller, t.qty, t.price, how].map(String);
  });
  out.push(table(['id', 'buyer', 'seller', 'qty', 'price', 'how'], tradeRows, [0, 3, 4]), '');
  if (lastBook !== undefined) out.push(p.bold('Final book'), renderBook(lastBook, p), '');
  ex.validate();

  const filledOf = (id: string) =>
    sum(trades.filter((t) => t.makerOrderId === id || t.takerOrderId === id).map(qtyOf));
  const auctionVolume = sum(trades.filter((t) => t.auction === true).map(qtyOf));
  const a1 = filledOf('A-1');
  const b1 = filledOf('B-1');
  const balance = conservation(ledger, trades, lastBook);
  out.push(p.bold('Conservation'));
  out.push(
    table(
      ['check', 'value'],
      [
        ['A-1 wanted to buy (limit 420.50)', '1000'],
        ['B-1 offered to sell (limit 420.00)', '1000'],
        ['traded in the opening auction', String(auctionVolume)],
        ['A-1 filled / B-1 filled', `${a1} / ${b1}`],
        [
          'filled + open + cancelled = quantity',
          balance.ok ? `holds for all ${balance.orders} orders` : balance.detail,
        ],
        ['engine self-check (validate)', 'passed'],
        ['state hash', ex.stateHash()],
      ],
      [],
    ),
  );
  const ok = a1 === 1000 && b1 === 1000 && auctionVolume === 1000 && balance.ok;
  out.push(
    '',
    ok
      ? p.buy('Exactly the 1000 shares that existed traded between A and B, once, at one price.')
      : p.sell(`Unexpected: A-1 traded ${a1}, B-1 traded ${b1}, the auction ${auctionVolume}.`),
  );
  return { text: out.join('\n'), auctionVolume, a1, b1, balanced: balance.ok };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const qtyOf = (t: WireEvent) => Number(t.qty);

/** Checks filled + open + cancelled = quantity for every accepted order, from events alone. */
function conservation(
  ledger: WireEvent[],
  trades: WireEvent[],
  book: WireEvent | undefined,
): { ok: boolean; orders: number; detail: string } {
  const open = new Map<string, number>();
  for (const level of [...((book?.bids ?? []) as Level[]), ...((book?.asks ?? []) as Level[])]) {
    for (const o of level.orders) open.set(o.orderId, Number(o.qty));
  }
  const accepted = ledger.filter((e) => e.type === 'accepted');
  for (const a of accepted) {
    const id = String(a.orderId);
    const filled = sum(
      trades.filter((t) => t.makerOrderId === id || t.takerOrderId === id).map(qtyOf),
    );
    const cancelled = sum(
      ledger
        .filter((e) => e.type === 'cancelled' && e.orderId === id)
        .map((e) => Number(e.remainingQty)),
    );
    const total = filled + (open.get(id) ?? 0) + cancelled;
    if (total !== Number(a.qty)) {
      return { ok: false, orders: accepted.length, detail: `${id}: ${total} != ${String(a.qty)}` };
    }
  }
  return { ok: true, orders: accepted.length, detail: '' };
}

function describe(w: WireEvent, side: (s: unknown) => string, p: Paint): string[] | null {
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  switch (w.type) {
    case 'instrument':
      return [
        'listed',
        s(w.symbol),
        '',
        '',
        '',
        `tick ${s(w.tickSize)}, lot ${s(w.lotSize)}, ${s(w.phase)}`,
      ];
    case 'accepted':
      return ['accepted', s(w.orderId), side(w.side), s(w.qty), s(w.price) || 'market', s(w.kind)];
    case 'indicative':
      return [
        p.dim('indicative'),
        '',
        '',
        s(w.volume),
        s(w.price) || '-',
        p.dim(
          w.imbalanceSide === null
            ? 'balanced'
            : `imbalance ${s(w.imbalance)} ${s(w.imbalanceSide)}`,
        ),
      ];
    case 'auction':
      return [p.bold('auction'), '', '', s(w.volume), s(w.price), `${s(w.kind)} uncross`];
    case 'trade':
      return w.auction === true
        ? [
            'trade',
            `${s(w.makerOrderId)} x ${s(w.takerOrderId)}`,
            '',
            s(w.qty),
            s(w.price),
            'auction print',
          ]
        : [
            'trade',
            `${s(w.takerOrderId)} x ${s(w.makerOrderId)}`,
            side(w.aggressor),
            s(w.qty),
            s(w.price),
            'maker price',
          ];
    case 'phase':
      return ['phase', s(w.symbol), '', '', '', `${s(w.previous)} -> ${s(w.phase)}`];
    case 'cancelled':
      return ['cancelled', s(w.orderId), '', s(w.remainingQty), '', s(w.reason)];
    case 'rejected':
      return ['rejected', s(w.orderId), '', '', '', s(w.message)];
    default:
      return null;
  }
}

interface Level {
  price: string;
  orders: { orderId: string; qty: string }[];
}

/** A price ladder: asks above (best ask nearest the middle), bids below. */
function renderBook(book: WireEvent, p: Paint): string {
  const asks = [...(book.asks as Level[])].reverse();
  const bids = book.bids as Level[];
  const total = (l: Level) => String(sum(l.orders.map((o) => Number(o.qty))));
  const who = (l: Level) => l.orders.map((o) => `${o.orderId} ${o.qty}`).join(', ');
  const rows = [
    ...asks.map((l) => ['', p.sell(l.price), p.sell(total(l)), who(l)]),
    ...bids.map((l) => [p.buy(total(l)), p.buy(l.price), '', who(l)]),
  ];
  return table(['bid qty', 'price', 'ask qty', 'orders'], rows, [0, 1, 2]);
}

export function registerDemo(program: Program): void {
  program
    .command('demo')
    .description("Run the seed's MSFT market-open story through an opening auction")
    .option('--no-color', 'plain text even on a terminal')
    .action((o: { color: boolean }) => {
      const color = o.color && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
      process.stdout.write(runDemo(color).text + '\n');
    });
}
