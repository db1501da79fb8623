/**
 * The three shipped NASDAQ days (samples/lobster), merged by timestamp into one
 * multi-instrument stream: adds, partial cancels (replace down, keeps priority), deletes, and
 * each run of same-timestamp executions as one aggressive IOC on the opposite side. The setup
 * places each day's first visible book (orders resting before 09:30) as one order per level.
 * Rows about orders the stream does not hold (unknown, or already gone) are dropped.
 */
import type { Side } from '../../src/core/index.js';
import { readMessages, readOrderbook, shippedDays } from '../../src/lobster/index.js';
import { WorkloadBuilder, type Workload } from '../workload.js';

export async function lobsterWorkload(): Promise<Workload> {
  const days = await Promise.all(
    shippedDays().map(async (d) => ({
      ...d,
      msgs: await readMessages(d.messages),
      ob: await readOrderbook(d.orderbook),
    })),
  );
  const b = new WorkloadBuilder(
    'lobster',
    days.map((d) => ({ symbol: d.symbol, tickSize: '0.0001', lotSize: '1' })),
    days.reduce((n, d) => n + d.msgs.rows, 0) + 100,
  );
  days.forEach((d, k) => {
    for (let l = 0; l < d.ob.levels; l++) {
      const at = l * 4;
      if (d.ob.data[at + 1] > 0) b.limit(1, d.ob.data[at], d.ob.data[at + 1], k);
      if (d.ob.data[at + 3] > 0) b.limit(0, d.ob.data[at + 2], d.ob.data[at + 3], k);
    }
  });
  b.endSetup();
  const ids = days.map(() => new Map<number, number>());
  const pos = days.map(() => 0);
  for (;;) {
    let k = -1;
    for (let j = 0; j < days.length; j++) {
      if (
        pos[j] < days[j].msgs.rows &&
        (k < 0 || days[j].msgs.time[pos[j]] < days[k].msgs.time[pos[k]])
      ) {
        k = j;
      }
    }
    if (k < 0) break;
    const m = days[k].msgs;
    const sim = b.sims[k];
    const i = pos[k]++;
    const side = m.side[i] as Side;
    const n = ids[k].get(m.id[i]);
    const live = n !== undefined && sim.book.contains(n);
    switch (m.type[i]) {
      case 1:
        ids[k].set(m.id[i], b.limit(side, m.price[i], m.size[i], k));
        break;
      case 2:
        if (live && sim.book.qtyOf(n) > m.size[i]) b.reduce(n, sim.book.qtyOf(n) - m.size[i], k);
        else if (live) b.cancel(n, k);
        break;
      case 3:
        if (live) b.cancel(n, k);
        break;
      case 4: {
        let qty = m.size[i];
        let worst = m.price[i];
        while (
          pos[k] < m.rows &&
          m.type[pos[k]] === 4 &&
          m.time[pos[k]] === m.time[i] &&
          m.side[pos[k]] === side
        ) {
          const j = pos[k]++;
          qty += m.size[j];
          worst = side === 1 ? Math.max(worst, m.price[j]) : Math.min(worst, m.price[j]);
        }
        b.ioc(side === 1 ? 0 : 1, worst, qty, k);
        break;
      }
    }
  }
  return b.build('AAPL + AMZN + GOOG 2012-06-21, merged by time; executions as aggressive IOCs');
}
