import { parseDecimal, type Decimal, type OrderKind, type SideName } from '../../core/index.js';
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

/** Persisted per-account state: limit overrides and the kill switch. */
export interface AccountRiskState {
  limits?: Partial<RiskLimits>;
  disabled?: boolean;
}

interface AccountRisk {
  limits: RiskLimits;
  disabled: boolean;
  bucket: TokenBucket;
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

  /** For cancels and replaces: only the kill switch applies (a disabled account may still cancel). */
  checkReplace(o: RiskOrder): RiskRejection | null {
    const a = this.account(o.account);
    if (a.disabled)
      return { reason: 'account_disabled', message: `Account ${o.account} is disabled` };
    return this.checkValues(a, o);
  }

  check(o: RiskOrder): RiskRejection | null {
    const a = this.account(o.account);
    if (a.disabled)
      return { reason: 'account_disabled', message: `Account ${o.account} is disabled` };
    if (!a.bucket.take(this.now())) {
      return {
        reason: 'risk_rate_limit',
        message: `Order rate limit of ${a.limits.ordersPerSecond}/s (burst ${a.limits.burst}) exceeded`,
      };
    }
    const bad = this.checkValues(a, o);
    if (bad) return bad;
    if (this.ctx.openOrders(o.account) >= a.limits.maxOpenOrders) {
      return {
        reason: 'risk_max_open_orders',
        message: `Account ${o.account} already has ${a.limits.maxOpenOrders} open orders`,
      };
    }
    return null;
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
          message: `Price is outside the ${bandPct}% band around the reference price`,
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
        steps: new Map(),
      };
      this.accounts.set(account, a);
    }
    return a;
  }
}
