import {
  formatSteps,
  parseDecimal,
  type Decimal,
  type OrderKind,
  type SideName,
} from '../../core/index.js';
import { DEFAULT_LIMITS, type RiskLimits } from './limits.js';
import { TokenBucket } from './token-bucket.js';

/** An order as risk sees it: integers, after the edge parsed it. */
export interface RiskOrder {
  account: string;
  symbol: string;
  side: SideName;
  kind: OrderKind;
  /** Limit price in ticks (limit, stopLimit). */
  price?: number;
  stopPrice?: number;
  qty: number;
  tick: Decimal;
  lot: Decimal;
}

export interface RiskRejection {
  reason:
    | 'risk_max_qty'
    | 'risk_max_notional'
    | 'risk_max_open_orders'
    | 'risk_rate_limit'
    | 'outside_price_band'
    | 'account_disabled';
  message: string;
}

/** What the checker reads from the rest of the gateway. */
export interface RiskContext {
  openOrders(account: string): number;
  /** Reference price in ticks (last trade, else configured) and the band in percent. */
  band(symbol: string): { reference?: number; bandPct?: string };
  now?: () => number;
}

/**
 * Where the checker's per-account state (limit overrides, kill switch) lives between runs. The
 * server plugs a file (DATA_DIR/risk.json) in; a store-backed one fits the same two calls.
 */
export interface RiskStateStore {
  load(): Record<string, AccountRiskState>;
  save(state: Record<string, AccountRiskState>): void;
}

/** Persisted per-account state: limit overrides and the kill switch. */
export interface AccountRiskState {
  limits?: Partial<RiskLimits>;
  disabled?: boolean;
}

interface AccountRisk {
  limits: RiskLimits;
  disabled: boolean;
  bucket: TokenBucket;
  /** Orders admitted and not yet answered by the engine: counted against maxOpenOrders. */
  pending: number;
  /** Per symbol: the limits converted to lots and tick-lots, computed once. */
  steps: Map<string, { maxLots: number; maxTickLots: number }>;
}

const pow10 = (n: number) => 10n ** BigInt(n);

/** floor(limit / step), exactly. */
function floorSteps(limit: Decimal, step: Decimal): bigint {
  const s = Math.max(limit.scale, step.scale);
  return (limit.mantissa * pow10(s - limit.scale)) / (step.mantissa * pow10(s - step.scale));
}

/**
 * Pre-trade risk per account, checked before a command reaches the engine. Order of checks:
 * kill switch, rate, quantity, price band, notional, open orders; the first failure is reported.
 *
 * Reservation: `admit` counts the order against `maxOpenOrders` at once (open orders the registry
 * knows + orders admitted and not yet answered), and `release` drops the reservation when the
 * engine's answer arrives; by then the registry holds the order if it rests. The registry is updated
 * before the answer is released, so an order is briefly counted twice, never zero times: however
 * requests are pipelined, the limit holds. Every order, replace and cancel takes a rate token.
 */
export class RiskChecker {
  private readonly accounts = new Map<string, AccountRisk>();
  private readonly now: () => number;

  constructor(
    private readonly ctx: RiskContext,
    private readonly defaults: RiskLimits = DEFAULT_LIMITS,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  /** Loads persisted state (overrides and disabled accounts). */
  load(state: Record<string, AccountRiskState>): void {
    for (const [account, s] of Object.entries(state)) {
      const a = this.account(account);
      if (s.limits) this.setLimits(account, s.limits);
      a.disabled = s.disabled === true;
    }
  }

  state(): Record<string, AccountRiskState> {
    const out: Record<string, AccountRiskState> = {};
    for (const [account, a] of this.accounts) {
      const overrides: Partial<RiskLimits> = {};
      for (const k of Object.keys(a.limits) as (keyof RiskLimits)[]) {
        if (a.limits[k] !== this.defaults[k])
          (overrides as Record<string, unknown>)[k] = a.limits[k];
      }
      if (a.disabled || Object.keys(overrides).length > 0)
        out[account] = { limits: overrides, disabled: a.disabled };
    }
    return out;
  }

  limits(account: string): RiskLimits {
    return { ...this.account(account).limits };
  }

  setLimits(account: string, patch: Partial<RiskLimits>): RiskLimits {
    const a = this.account(account);
    a.limits = { ...a.limits, ...patch };
    a.bucket.configure(a.limits.ordersPerSecond, a.limits.burst);
    a.steps.clear();
    return { ...a.limits };
  }

  isEnabled(account: string): boolean {
    return !this.accounts.get(account)?.disabled;
  }

  setEnabled(account: string, enabled: boolean): void {
    this.account(account).disabled = !enabled;
  }

  /** Replace (an order): kill switch, rate token, then the new values' limits. */
  admitReplace(o: RiskOrder): RiskRejection | null {
    const a = this.account(o.account);
    if (a.disabled)
      return { reason: 'account_disabled', message: `Account ${o.account} is disabled` };
    return this.takeToken(a) ?? this.checkValues(a, o);
  }

  /** Cancel and mass cancel: a rate token only (a disabled account may still cancel). */
  admitCancel(account: string): RiskRejection | null {
    return this.takeToken(this.account(account));
  }

  /**
   * A new order: every check, then a reservation against `maxOpenOrders`. The caller must call
   * `release(account)` exactly once when the engine answered (or the submit failed).
   */
  admit(o: RiskOrder): RiskRejection | null {
    const a = this.account(o.account);
    if (a.disabled)
      return { reason: 'account_disabled', message: `Account ${o.account} is disabled` };
    const bad = this.takeToken(a) ?? this.checkValues(a, o);
    if (bad) return bad;
    if (this.ctx.openOrders(o.account) + a.pending >= a.limits.maxOpenOrders) {
      return {
        reason: 'risk_max_open_orders',
        message: `Account ${o.account} already has ${a.limits.maxOpenOrders} open or pending orders (maxOpenOrders)`,
      };
    }
    a.pending++;
    return null;
  }

  /** Ends the reservation of one admitted order. */
  release(account: string): void {
    const a = this.accounts.get(account);
    if (a !== undefined && a.pending > 0) a.pending--;
  }

  /** Orders admitted and not yet answered (for tests and metrics). */
  pending(account: string): number {
    return this.accounts.get(account)?.pending ?? 0;
  }

  private takeToken(a: AccountRisk): RiskRejection | null {
    if (a.bucket.take(this.now())) return null;
    return {
      reason: 'risk_rate_limit',
      message: `Order rate limit of ${a.limits.ordersPerSecond}/s (burst ${a.limits.burst}) exceeded; orders, replaces and cancels each take one token`,
    };
  }

  private checkValues(a: AccountRisk, o: RiskOrder): RiskRejection | null {
    const steps = this.steps(a, o);
    if (o.qty > steps.maxLots) {
      return {
        reason: 'risk_max_qty',
        message: `Quantity is above the account's maximum of ${a.limits.maxOrderQty}`,
      };
    }
    const { reference, bandPct } = this.ctx.band(o.symbol);
    const band = bandPct === undefined ? null : this.band(bandPct);
    if (o.price !== undefined && reference !== undefined && band !== null) {
      // |price - ref| / ref > band / 100, in integers (ticks stay far below 2^53 / 1e8).
      if (Math.abs(o.price - reference) * band.den > reference * band.num) {
        return {
          reason: 'outside_price_band',
          message: `Price is outside the ${bandPct}% band around the reference price: allowed ${this.bandRange(reference, band, o.tick)}`,
        };
      }
    }
    let price = o.price ?? o.stopPrice;
    if (price === undefined && reference !== undefined) {
      // A market order is valued at the far edge of its band (or at the reference without one).
      const edge = band === null ? 0 : Math.floor((reference * band.num) / band.den);
      price = reference + (o.side === 'buy' ? edge : 0);
    }
    // The edge parser keeps price x qty within 2^53, so this product is exact.
    if (price !== undefined && price * o.qty > steps.maxTickLots) {
      return {
        reason: 'risk_max_notional',
        message: `Notional is above the account's maximum of ${a.limits.maxNotional}`,
      };
    }
    return null;
  }

  /** The band's allowed prices as decimals: "380.00 to 462.00". */
  private bandRange(reference: number, band: { num: number; den: number }, tick: Decimal): string {
    const lo = Math.ceil((reference * (band.den - band.num)) / band.den);
    const hi = Math.floor((reference * (band.den + band.num)) / band.den);
    return `${formatSteps(Math.max(lo, 1), tick)} to ${formatSteps(hi, tick)}`;
  }

  private readonly bands = new Map<string, { num: number; den: number } | null>();

  /** A band percentage as num / den ("7.5" -> 75 / 1000), parsed once. */
  private band(pct: string): { num: number; den: number } | null {
    let b = this.bands.get(pct);
    if (b === undefined) {
      const d = parseDecimal(pct);
      b =
        d === null || d.mantissa <= 0n || d.scale > 6
          ? null
          : { num: Number(d.mantissa), den: 100 * 10 ** d.scale };
      this.bands.set(pct, b);
    }
    return b;
  }

  private steps(a: AccountRisk, o: RiskOrder): { maxLots: number; maxTickLots: number } {
    let s = a.steps.get(o.symbol);
    if (s === undefined) {
      const maxQty = parseDecimal(a.limits.maxOrderQty)!;
      const maxNotional = parseDecimal(a.limits.maxNotional)!;
      const tickLot = {
        mantissa: o.tick.mantissa * o.lot.mantissa,
        scale: o.tick.scale + o.lot.scale,
      };
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      const cap = (v: bigint) => Number(v > max ? max : v);
      s = {
        maxLots: cap(floorSteps(maxQty, o.lot)),
        maxTickLots: cap(floorSteps(maxNotional, tickLot)),
      };
      a.steps.set(o.symbol, s);
    }
    return s;
  }

  private account(account: string): AccountRisk {
    let a = this.accounts.get(account);
    if (a === undefined) {
      const limits = { ...this.defaults };
      a = {
        limits,
        disabled: false,
        bucket: new TokenBucket(limits.ordersPerSecond, limits.burst, this.now()),
        pending: 0,
        steps: new Map(),
      };
      this.accounts.set(account, a);
    }
    return a;
  }
}
