import type { SideName } from '../core/index.js';

/** One visible resting order as the public sees it: no account, only the visible slice. */
interface BookOrder {
  orderId: string;
  side: SideName;
  price: number;
  /** Open quantity (visible + hidden). */
  leaves: number;
  /** Quantity shown in the book. */
  visible: number;
  /** Iceberg slice size; undefined for a plain order. */
  display: number | undefined;
}

/** Orders at one price, in time priority (a Map keeps insertion order). */
interface Level {
  side: SideName;
  price: number;
  orders: Map<string, BookOrder>;
  total: number;
  /** Total at the last published update; the diff is `total !== published`. */
  published: number;
}

export interface LevelChange {
  side: SideName;
  price: number;
  /** New total visible quantity; 0 removes the level. */
  qty: number;
}

export interface L3Level {
  price: number;
  orders: { orderId: string; qty: number }[];
}

/** Sorted insert into an ascending or descending array of distinct prices. */
function insertSorted(prices: number[], price: number, descending: boolean): void {
  let lo = 0;
  let hi = prices.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const before = descending ? prices[mid] > price : prices[mid] < price;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  prices.splice(lo, 0, price);
}

function removeSorted(prices: number[], price: number): void {
  const i = prices.indexOf(price);
  if (i >= 0) prices.splice(i, 1);
}

/**
 * One instrument's visible book, rebuilt from engine events only. Levels touched since the last
 * `takeChanges()` are remembered so publishers can send exact incremental L2 updates.
 */
export class L3Book {
  private readonly orders = new Map<string, BookOrder>();
  private readonly levels = { buy: new Map<number, Level>(), sell: new Map<number, Level>() };
  /** Bids descending, asks ascending: index 0 is the best. */
  private readonly prices = { buy: [] as number[], sell: [] as number[] };
  private readonly touched = new Set<Level>();
  /** Levels emptied since the last publish, reused if their price comes back in the same batch. */
  private readonly emptied = { buy: new Map<number, Level>(), sell: new Map<number, Level>() };

  has(orderId: string): boolean {
    return this.orders.has(orderId);
  }

  add(o: { orderId: string; side: SideName; price: number; qty: number; display?: number }): void {
    if (this.orders.has(o.orderId) || o.qty <= 0) return;
    const display = o.display !== undefined && o.display > 0 ? o.display : undefined;
    const order: BookOrder = {
      orderId: o.orderId,
      side: o.side,
      price: o.price,
      leaves: o.qty,
      visible: display === undefined ? o.qty : Math.min(display, o.qty),
      display,
    };
    this.orders.set(o.orderId, order);
    this.enqueue(order);
  }

  /** A fill: `leaves` is the order's open quantity after it, as the trade event reports. */
  fill(orderId: string, qty: number, leaves: number, isMaker: boolean): void {
    const order = this.orders.get(orderId);
    if (order === undefined) return;
    if (leaves <= 0) {
      this.remove(orderId);
      return;
    }
    const level = this.levelOf(order);
    order.leaves = leaves;
    let visible: number;
    if (order.display === undefined) visible = leaves;
    else if (!isMaker) visible = Math.min(order.display, leaves);
    else {
      visible = Math.max(0, order.visible - qty);
      if (visible === 0) {
        // The refilled slice of an iceberg goes to the back of its level.
        this.dequeue(order);
        order.visible = Math.min(order.display, leaves);
        this.enqueue(order);
        return;
      }
    }
    this.setVisible(level, order, Math.min(visible, leaves));
  }

  remove(orderId: string): void {
    const order = this.orders.get(orderId);
    if (order === undefined) return;
    this.dequeue(order);
    this.orders.delete(orderId);
  }

  /** A replace: new open quantity and maybe a new price; losing priority sends it to the back. */
  replace(orderId: string, r: { price?: number; qty: number; priorityKept: boolean }): void {
    const order = this.orders.get(orderId);
    if (order === undefined) return;
    if (r.qty <= 0) {
      this.remove(orderId);
      return;
    }
    const price = r.price ?? order.price;
    if (r.priorityKept && price === order.price) {
      order.leaves = r.qty;
      const visible = order.display === undefined ? r.qty : Math.min(order.visible, r.qty);
      this.setVisible(this.levelOf(order), order, visible);
      return;
    }
    this.dequeue(order);
    order.price = price;
    order.leaves = r.qty;
    order.visible = order.display === undefined ? r.qty : Math.min(order.display, r.qty);
    this.enqueue(order);
  }

  /** Drops everything (e.g. before loading a `book` snapshot event); the removals are published. */
  clear(): void {
    for (const id of [...this.orders.keys()]) this.remove(id);
  }

  best(side: SideName): { price: number; qty: number } | null {
    const price = this.prices[side][0];
    if (price === undefined) return null;
    return { price, qty: this.levels[side].get(price)!.total };
  }

  /** Aggregated levels, best first. */
  depth(side: SideName, max: number): [number, number][] {
    const out: [number, number][] = [];
    const prices = this.prices[side];
    for (let i = 0; i < prices.length && out.length < max; i++) {
      out.push([prices[i], this.levels[side].get(prices[i])!.total]);
    }
    return out;
  }

  /** Every visible order, best level first and time priority within a level. */
  orderDepth(side: SideName, max: number): L3Level[] {
    const out: L3Level[] = [];
    const prices = this.prices[side];
    for (let i = 0; i < prices.length && out.length < max; i++) {
      const level = this.levels[side].get(prices[i])!;
      const orders = [...level.orders.values()].map((o) => ({
        orderId: o.orderId,
        qty: o.visible,
      }));
      out.push({ price: level.price, orders });
    }
    return out;
  }

  /** Levels whose published total changed since the last call; marks them published. */
  takeChanges(): LevelChange[] {
    const out: LevelChange[] = [];
    for (const level of this.touched) {
      if (level.total !== level.published) {
        out.push({ side: level.side, price: level.price, qty: level.total });
        level.published = level.total;
      }
    }
    this.resetTouched();
    return out;
  }

  /**
   * What `takeChanges()` does when nobody reads the changes: marks every touched level published
   * and says whether any total changed, without building the change list.
   */
  discardChanges(): boolean {
    let changed = false;
    for (const level of this.touched) {
      if (level.total !== level.published) {
        changed = true;
        level.published = level.total;
      }
    }
    this.resetTouched();
    return changed;
  }

  private resetTouched(): void {
    this.touched.clear();
    this.emptied.buy.clear();
    this.emptied.sell.clear();
  }

  private levelOf(order: BookOrder): Level {
    return this.levels[order.side].get(order.price)!;
  }

  private touch(level: Level): void {
    this.touched.add(level);
  }

  private setVisible(level: Level, order: BookOrder, visible: number): void {
    level.total += visible - order.visible;
    order.visible = visible;
    this.touch(level);
  }

  private enqueue(order: BookOrder): void {
    const levels = this.levels[order.side];
    let level = levels.get(order.price);
    if (level === undefined) {
      level = this.emptied[order.side].get(order.price) ?? {
        side: order.side,
        price: order.price,
        orders: new Map(),
        total: 0,
        published: 0,
      };
      levels.set(order.price, level);
      insertSorted(this.prices[order.side], order.price, order.side === 'buy');
    }
    level.orders.set(order.orderId, order);
    level.total += order.visible;
    this.touch(level);
  }

  private dequeue(order: BookOrder): void {
    const levels = this.levels[order.side];
    const level = levels.get(order.price);
    if (level === undefined) return;
    level.orders.delete(order.orderId);
    level.total -= order.visible;
    this.touch(level);
    if (level.orders.size === 0) {
      levels.delete(order.price);
      this.emptied[order.side].set(order.price, level);
      removeSorted(this.prices[order.side], order.price);
    }
  }
}
