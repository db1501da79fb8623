/**
 * Differential property test: random command streams go through the engine on the reference
 * book and on the fast book; events and state hashes must be identical after every command, and
 * the invariant model must hold. CI runs >= 200,000 commands; CROSSBOOK_DIFF_COMMANDS=N runs more.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Exchange,
  FastBook,
  ReferenceBook,
  type Command,
  type OrderKind,
  type Phase,
  type StpMode,
  type TimeInForce,
} from '../../src/core/index.js';
import { InvariantChecker } from './invariants.js';

const TOTAL = Number(process.env.CROSSBOOK_DIFF_COMMANDS ?? 200_000);
const PER_RUN = 1_000;
const RUNS = Math.max(1, Math.ceil(TOTAL / PER_RUN));

type Op =
  | {
      t: 'place';
      sym: number;
      acct: number;
      buy: boolean;
      kind: OrderKind;
      off: number;
      qty: number;
      tif: TimeInForce;
      post: boolean;
      display: number;
      stp: StpMode;
      stopOff: number;
      life: number;
    }
  | { t: 'cancel'; pick: number; acct: number }
  | {
      t: 'replace';
      pick: number;
      acct: number;
      off: number | null;
      qty: number | null;
      stopOff: number | null;
    }
  | { t: 'mass'; acct: number; sym: number | null }
  | { t: 'phase'; sym: number; phase: Phase }
  | { t: 'clock'; dt: number }
  | { t: 'snapshot'; sym: number };

const SYMBOLS = ['X', 'Y'];
const ACCOUNTS = ['A', 'B', 'C'];

const placeArb = fc.record({
  t: fc.constant('place' as const),
  sym: fc.integer({ min: 0, max: 1 }),
  acct: fc.integer({ min: 0, max: 2 }),
  buy: fc.boolean(),
  kind: fc.constantFrom<OrderKind>(
    'limit',
    'limit',
    'limit',
    'limit',
    'limit',
    'market',
    'stop',
    'stopLimit',
  ),
  off: fc.integer({ min: -8, max: 8 }),
  qty: fc.integer({ min: 1, max: 30 }),
  tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'GTC', 'IOC', 'FOK', 'DAY', 'GTD'),
  post: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  display: fc.integer({ min: 0, max: 12 }),
  stp: fc.constantFrom<StpMode>(
    'none',
    'none',
    'cancelNewest',
    'cancelOldest',
    'cancelBoth',
    'decrement',
  ),
  stopOff: fc.integer({ min: -6, max: 6 }),
  life: fc.integer({ min: 1, max: 400 }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: placeArb },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('cancel' as const),
      pick: fc.nat(),
      acct: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('replace' as const),
      pick: fc.nat(),
      acct: fc.integer({ min: 0, max: 3 }),
      off: fc.option(fc.integer({ min: -8, max: 8 })),
      qty: fc.option(fc.integer({ min: 1, max: 30 })),
      stopOff: fc.option(fc.integer({ min: -6, max: 6 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('mass' as const),
      acct: fc.integer({ min: 0, max: 2 }),
      sym: fc.option(fc.integer({ min: 0, max: 1 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('phase' as const),
      sym: fc.integer({ min: 0, max: 1 }),
      phase: fc.constantFrom<Phase>(
        'continuous',
        'continuous',
        'continuous',
        'preopen',
        'preclose',
        'halted',
        'closed',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('clock' as const),
      dt: fc.integer({ min: 1, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('snapshot' as const),
      sym: fc.integer({ min: 0, max: 1 }),
    }),
  },
);

/** Turns abstract ops into concrete commands, picking existing ids for cancels and replaces. */
function toCommands(ops: Op[]): Command[] {
  const cmds: Command[] = [
    {
      type: 'instrument',
      instrument: {
        symbol: 'X',
        tickSize: '1',
        lotSize: '1',
        bandPct: '20',
        referencePrice: 100,
        haltPauseNs: 100,
      },
    },
    {
      type: 'instrument',
      instrument: { symbol: 'Y', tickSize: '1', lotSize: '1', stp: 'cancelOldest' },
    },
  ];
  const placed: { id: string; sym: string; acct: string }[] = [];
  let ts = 0;
  let n = 0;
  for (const op of ops) {
    ts += 1;
    switch (op.t) {
      case 'place': {
        const id = `O${++n}`;
        const sym = SYMBOLS[op.sym];
        const acct = ACCOUNTS[op.acct];
        placed.push({ id, sym, acct });
        const limit = op.kind === 'limit' || op.kind === 'stopLimit';
        const stop = op.kind === 'stop' || op.kind === 'stopLimit';
        cmds.push({
          type: 'place',
          symbol: sym,
          orderId: id,
          account: acct,
          side: op.buy ? 'buy' : 'sell',
          kind: op.kind,
          price: limit ? 100 + op.off : undefined,
          qty: op.qty,
          tif: op.tif,
          postOnly: op.post || undefined,
          displayQty: limit && op.display > 0 && op.display < op.qty ? op.display : undefined,
          stp: op.stp === 'none' ? undefined : op.stp,
          stopPrice: stop ? 100 + op.stopOff : undefined,
          expireAt: op.tif === 'GTD' ? ts + op.life : undefined,
          ts,
        });
        break;
      }
      case 'cancel':
      case 'replace': {
        if (placed.length === 0) break;
        const target = placed[op.pick % placed.length];
        const acct = op.acct === 3 ? 'EVE' : target.acct;
        if (op.t === 'cancel') {
          cmds.push({ type: 'cancel', symbol: target.sym, orderId: target.id, account: acct, ts });
        } else {
          cmds.push({
            type: 'replace',
            symbol: target.sym,
            orderId: target.id,
            account: acct,
            price: op.off === null ? undefined : 100 + op.off,
            qty: op.qty ?? undefined,
            stopPrice: op.stopOff === null ? undefined : 100 + op.stopOff,
            ts,
          });
        }
        break;
      }
      case 'mass':
        cmds.push({
          type: 'massCancel',
          account: ACCOUNTS[op.acct],
          symbol: op.sym === null ? undefined : SYMBOLS[op.sym],
          ts,
        });
        break;
      case 'phase':
        cmds.push({ type: 'phase', symbol: SYMBOLS[op.sym], phase: op.phase, ts });
        break;
      case 'clock':
        ts += op.dt;
        cmds.push({ type: 'clock', ts });
        break;
      case 'snapshot':
        cmds.push({ type: 'snapshot', symbol: SYMBOLS[op.sym] });
        break;
    }
  }
  return cmds;
}

function runBoth(cmds: Command[]): { trades: number } {
  const ref = new Exchange({ book: () => new ReferenceBook() });
  const fast = new Exchange({ book: () => new FastBook() });
  const checker = new InvariantChecker();
  for (let i = 0; i < cmds.length; i++) {
    const a = ref.execute(cmds[i]);
    const b = fast.execute(cmds[i]);
    const ja = JSON.stringify(a);
    const jb = JSON.stringify(b);
    if (ja !== jb)
      throw new Error(
        `command ${i} ${JSON.stringify(cmds[i])}: events differ\nref:  ${ja}\nfast: ${jb}`,
      );
    try {
      checker.apply(a);
      ref.validate();
      fast.validate();
    } catch (err) {
      const recent = cmds.slice(Math.max(0, i - 40), i + 1).map((c) => JSON.stringify(c));
      throw new Error(
        `command ${i}: ${(err as Error).message}\nevents: ${ja}\nrecent commands:\n${recent.join('\n')}`,
      );
    }
    if (ref.stateHash() !== fast.stateHash()) throw new Error(`command ${i}: state hashes differ`);
  }
  // A snapshot restores to the same state and the same future.
  const restored = Exchange.restore(JSON.parse(JSON.stringify(fast.snapshot())));
  if (restored.stateHash() !== fast.stateHash()) throw new Error('restore changed the state hash');
  return { trades: checker.trades };
}

describe('differential: reference book vs fast book', () => {
  it(`agrees on ${RUNS * PER_RUN} random commands with every invariant holding`, () => {
    let trades = 0;
    let commands = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: PER_RUN, maxLength: PER_RUN }), (ops) => {
        const cmds = toCommands(ops);
        commands += cmds.length;
        trades += runBoth(cmds).trades;
      }),
      {
        numRuns: RUNS,
        seed: Number(process.env.CROSSBOOK_DIFF_SEED ?? 20261125),
        endOnFailure: true,
      },
    );
    expect(commands).toBeGreaterThanOrEqual(RUNS * PER_RUN);
    // The generator must actually exercise matching, not just fill books.
    expect(trades).toBeGreaterThan(commands / 20);
  });

  it('a restored snapshot behaves exactly like the original from then on', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 300, maxLength: 300 }),
        fc.array(opArb, { minLength: 300, maxLength: 300 }),
        (first, second) => {
          const cmds = toCommands([...first, ...second]);
          const cut = Math.floor(cmds.length / 2);
          const original = new Exchange();
          for (const c of cmds.slice(0, cut)) original.execute(c);
          const copy = Exchange.restore(JSON.parse(JSON.stringify(original.snapshot())));
          expect(copy.stateHash()).toBe(original.stateHash());
          for (const c of cmds.slice(cut)) {
            expect(JSON.stringify(copy.execute(c))).toBe(JSON.stringify(original.execute(c)));
          }
          expect(copy.stateHash()).toBe(original.stateHash());
        },
      ),
      { numRuns: 30, seed: 7, endOnFailure: true },
    );
  });
});
