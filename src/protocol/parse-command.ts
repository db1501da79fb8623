import {
  limitsOf,
  ORDER_KINDS,
  parseDecimal,
  PHASES,
  STP_MODES,
  TIME_IN_FORCE,
  type Command,
  type InstrumentConfig,
  type OrderKind,
  type PlaceOrder,
  type RejectReason,
  type ReplaceOrder,
} from '../core/index.js';
import { stepsToText, textToSteps } from './fast-decimal.js';
import { EdgeRejection, FieldReader, isObject, jsonTypeOf, type JsonObject } from './fields.js';
import type { InstrumentRegistry, InstrumentUnits } from './instrument-registry.js';

export type ParseResult =
  | { ok: true; command: Command }
  | {
      ok: false;
      reason: RejectReason;
      message: string;
      orderId?: string;
      symbol?: string;
      account?: string;
    };

export const COMMAND_TYPES = [
  'instrument',
  'place',
  'cancel',
  'replace',
  'massCancel',
  'phase',
  'clock',
  'snapshot',
] as const;

/**
 * Validates one replay-protocol object (already JSON-parsed) and converts its decimals exactly
 * into an integer core command. Structure is checked before the symbol, and the symbol before
 * values, so the reason names the first thing a person has to fix. Never throws.
 */
export function parseCommand(obj: unknown, registry: InstrumentRegistry): ParseResult {
  if (!isObject(obj)) {
    return {
      ok: false,
      reason: 'malformed',
      message: `A command must be a JSON object, got ${jsonTypeOf(obj)}`,
    };
  }
  const orderId = typeof obj.orderId === 'string' && obj.orderId !== '' ? obj.orderId : undefined;
  const symbol = typeof obj.symbol === 'string' && obj.symbol !== '' ? obj.symbol : undefined;
  const account = typeof obj.account === 'string' && obj.account !== '' ? obj.account : undefined;
  try {
    return { ok: true, command: parseObject(obj, registry) };
  } catch (err) {
    if (!(err instanceof EdgeRejection)) throw err;
    const out: ParseResult = { ok: false, reason: err.reason, message: err.message };
    if (orderId !== undefined) out.orderId = orderId;
    if (symbol !== undefined) out.symbol = symbol;
    if (account !== undefined) out.account = account;
    return out;
  }
}

function parseObject(obj: JsonObject, registry: InstrumentRegistry): Command {
  const type = obj.type;
  if (type === undefined || type === null) {
    throw new EdgeRejection('malformed', 'Cannot read command: missing required field type');
  }
  if (typeof type !== 'string') {
    throw new EdgeRejection(
      'malformed',
      `Cannot read command: field type must be a string, got ${jsonTypeOf(type)}`,
    );
  }
  switch (type) {
    case 'instrument':
      return parseInstrument(obj);
    case 'place':
      return parsePlace(obj, registry);
    case 'cancel':
      return parseCancel(obj, registry);
    case 'replace':
      return parseReplace(obj, registry);
    case 'massCancel':
      return parseMassCancel(obj, registry);
    case 'phase':
      return parsePhase(obj, registry);
    case 'clock':
      return { type: 'clock', ts: new FieldReader(obj, 'Cannot advance the clock').nanos('ts') };
    case 'snapshot':
      return parseSnapshot(obj, registry);
    default:
      throw new EdgeRejection(
        'malformed',
        `Unknown command type ${JSON.stringify(type)}: expected one of ${COMMAND_TYPES.join(', ')}`,
      );
  }
}

/** `Cannot place order A-2` when the id is readable, `Cannot place an order` otherwise. */
function orderPrefix(verb: string, obj: JsonObject): string {
  const id = obj.orderId;
  return typeof id === 'string' && id !== ''
    ? `Cannot ${verb} order ${id}`
    : `Cannot ${verb} an order`;
}

function knownSymbol(r: FieldReader, registry: InstrumentRegistry): InstrumentUnits {
  const symbol = r.string('symbol');
  const units = registry.get(symbol);
  if (units === undefined) r.fail('unknown_symbol', `unknown symbol ${symbol}`);
  return units;
}

function withTs<T extends Command>(cmd: T, r: FieldReader): T {
  const ts = r.optNanos('ts');
  if (ts !== undefined) cmd.ts = ts;
  return cmd;
}

/** Zero in any spelling ("0", "0.00", "+000"); negatives are caught by their sign. */
const ZERO = /^\+?0+(?:\.0+)?$/;
const notPositive = (text: string) => text.charCodeAt(0) === 45 || ZERO.test(text);

function priceTicks(r: FieldReader, label: string, text: string, units: InstrumentUnits): number {
  if (notPositive(text)) r.fail('invalid_price', `${label} ${text} is not positive`);
  const s = textToSteps(text, units.tick);
  if (s.ok) {
    if (s.value > units.maxPrice) {
      r.fail(
        'too_large',
        `${label} ${text} is above the maximum price ${stepsToText(units.maxPrice, units.tick)}`,
      );
    }
    return s.value;
  }
  if (s.error === 'off_step') {
    r.fail('price_off_tick', `${label} ${text} is not a multiple of tick ${units.tickSize}`);
  }
  return r.fail('too_large', `${label} ${text} is too large`);
}

function qtyLots(r: FieldReader, label: string, text: string, units: InstrumentUnits): number {
  if (notPositive(text)) r.fail('invalid_qty', `${label} ${text} is not positive`);
  const s = textToSteps(text, units.lot);
  if (s.ok) {
    if (s.value > units.maxQty) {
      r.fail(
        'too_large',
        `${label} ${text} is above the maximum order quantity ${stepsToText(units.maxQty, units.lot)}`,
      );
    }
    return s.value;
  }
  if (s.error === 'off_step') {
    r.fail('qty_off_lot', `${label} ${text} is not a multiple of lot ${units.lotSize}`);
  }
  return r.fail('too_large', `${label} ${text} is too large`);
}

/** Price x quantity must stay an exact integer so notional sums never lose precision. */
function checkNotional(r: FieldReader, price: number | undefined, qty: number | undefined): void {
  if (price === undefined || qty === undefined) return;
  if (price * qty > Number.MAX_SAFE_INTEGER) {
    r.fail(
      'too_large',
      `price x quantity is too large (above ${Number.MAX_SAFE_INTEGER} tick-lots)`,
    );
  }
}

function parsePlace(obj: JsonObject, registry: InstrumentRegistry): PlaceOrder {
  const r = new FieldReader(obj, orderPrefix('place', obj));
  // Structure first: every field's presence, JSON type and decimal syntax.
  r.string('symbol');
  const orderId = r.string('orderId');
  const account = r.string('account');
  const side = r.enumOf('side', ['buy', 'sell'] as const);
  const kind = r.optEnum('kind', ORDER_KINDS) ?? impliedKind(obj);
  const needsPrice = kind === 'limit' || kind === 'stopLimit';
  const needsStop = kind === 'stop' || kind === 'stopLimit';
  // A price the kind does not use (a market order's price) is ignored, as most venues do.
  const priceText = needsPrice ? r.optDecimal('price') : undefined;
  if (needsPrice && priceText === undefined) r.fail('malformed', `a ${kind} order needs a price`);
  const stopText = needsStop ? r.optDecimal('stopPrice') : undefined;
  if (needsStop && stopText === undefined) r.fail('malformed', `a ${kind} order needs a stopPrice`);
  const qtyText = r.decimal('qty');
  const tif = r.optEnum('tif', TIME_IN_FORCE);
  const postOnly = r.optBoolean('postOnly');
  const displayText = r.optDecimal('displayQty');
  const expireAt = r.optNanos('expireAt');
  if (tif === 'GTD' && expireAt === undefined) r.fail('malformed', 'a GTD order needs expireAt');
  const stp = r.optEnum('stp', STP_MODES);

  const units = knownSymbol(r, registry);
  const cmd: PlaceOrder = {
    type: 'place',
    symbol: units.symbol,
    orderId,
    account,
    side,
    kind,
    qty: 0,
  };
  if (priceText !== undefined) cmd.price = priceTicks(r, 'price', priceText, units);
  if (stopText !== undefined) cmd.stopPrice = priceTicks(r, 'stop price', stopText, units);
  cmd.qty = qtyLots(r, 'quantity', qtyText, units);
  if (displayText !== undefined)
    cmd.displayQty = qtyLots(r, 'display quantity', displayText, units);
  checkNotional(r, cmd.price ?? cmd.stopPrice, cmd.qty);
  if (tif !== undefined) cmd.tif = tif;
  if (postOnly !== undefined) cmd.postOnly = postOnly;
  if (expireAt !== undefined) cmd.expireAt = expireAt;
  if (stp !== undefined) cmd.stp = stp;
  return withTs(cmd, r);
}

/** Without `kind`, the prices given say what the order is: a price makes it a limit. */
function impliedKind(obj: JsonObject): OrderKind {
  const has = (name: string) => obj[name] !== undefined && obj[name] !== null;
  if (has('stopPrice')) return has('price') ? 'stopLimit' : 'stop';
  return has('price') ? 'limit' : 'market';
}

function parseCancel(obj: JsonObject, registry: InstrumentRegistry): Command {
  const r = new FieldReader(obj, orderPrefix('cancel', obj));
  r.string('symbol');
  const orderId = r.string('orderId');
  const account = r.string('account');
  const units = knownSymbol(r, registry);
  return withTs({ type: 'cancel', symbol: units.symbol, orderId, account }, r);
}

function parseReplace(obj: JsonObject, registry: InstrumentRegistry): ReplaceOrder {
  const r = new FieldReader(obj, orderPrefix('replace', obj));
  r.string('symbol');
  const orderId = r.string('orderId');
  const account = r.string('account');
  const priceText = r.optDecimal('price');
  const qtyText = r.optDecimal('qty');
  const stopText = r.optDecimal('stopPrice');
  const units = knownSymbol(r, registry);
  const cmd: ReplaceOrder = { type: 'replace', symbol: units.symbol, orderId, account };
  if (priceText !== undefined) cmd.price = priceTicks(r, 'price', priceText, units);
  if (stopText !== undefined) cmd.stopPrice = priceTicks(r, 'stop price', stopText, units);
  if (qtyText !== undefined) cmd.qty = qtyLots(r, 'quantity', qtyText, units);
  checkNotional(r, cmd.price ?? cmd.stopPrice, cmd.qty);
  return withTs(cmd, r);
}

function parseMassCancel(obj: JsonObject, registry: InstrumentRegistry): Command {
  const account = obj.account;
  const who = typeof account === 'string' && account !== '' ? ` for account ${account}` : '';
  const r = new FieldReader(obj, `Cannot mass cancel${who}`);
  const cmd: Command = { type: 'massCancel', account: r.string('account') };
  if (r.optString('symbol') !== undefined) cmd.symbol = knownSymbol(r, registry).symbol;
  return withTs(cmd, r);
}

function parsePhase(obj: JsonObject, registry: InstrumentRegistry): Command {
  const r = new FieldReader(obj, 'Cannot change the trading phase');
  r.string('symbol');
  const phase = r.enumOf('phase', PHASES);
  const units = knownSymbol(r, registry);
  return withTs({ type: 'phase', symbol: units.symbol, phase }, r);
}

function parseSnapshot(obj: JsonObject, registry: InstrumentRegistry): Command {
  const r = new FieldReader(obj, 'Cannot snapshot the book');
  const units = knownSymbol(r, registry);
  return withTs({ type: 'snapshot', symbol: units.symbol }, r);
}

function parseInstrument(obj: JsonObject): Command {
  const sym = obj.symbol;
  const name = typeof sym === 'string' && sym !== '' ? ` ${sym}` : '';
  const r = new FieldReader(obj, `Cannot define instrument${name}`);
  const symbol = r.string('symbol');
  if (!/^[A-Za-z0-9._:/-]{1,32}$/.test(symbol)) {
    r.fail('malformed', 'a symbol is 1 to 32 letters, digits or . _ : / -');
  }
  const tickSize = positiveStep(r, 'tickSize');
  const lotSize = positiveStep(r, 'lotSize');
  const bandPct = r.optDecimal('bandPct');
  if (bandPct !== undefined && parseDecimal(bandPct)!.mantissa <= 0n) {
    r.fail('malformed', `bandPct ${bandPct} is not positive`);
  }
  const refText = r.optDecimal('referencePrice');
  const stp = r.optEnum('stp', STP_MODES);
  const phase = r.optEnum('phase', PHASES);
  const haltPauseNs = r.optNanos('haltPauseNs');
  const maxQtyText = r.optDecimal('maxQty');
  const maxPriceText = r.optDecimal('maxPrice');
  const config: InstrumentConfig = { symbol, tickSize, lotSize };
  if (bandPct !== undefined) config.bandPct = bandPct;
  // The limits themselves are only bounded by 2^53 here; the engine checks that they keep every
  // sum exact (maxQty x maxPrice <= 2^53 - 1) and rejects the definition otherwise.
  const unbounded: InstrumentUnits = {
    symbol,
    tickSize,
    lotSize,
    tick: parseDecimal(tickSize)!,
    lot: parseDecimal(lotSize)!,
    maxQty: Number.MAX_SAFE_INTEGER,
    maxPrice: Number.MAX_SAFE_INTEGER,
  };
  if (maxQtyText !== undefined) config.maxQty = qtyLots(r, 'maxQty', maxQtyText, unbounded);
  if (maxPriceText !== undefined) {
    config.maxPrice = priceTicks(r, 'maxPrice', maxPriceText, unbounded);
  }
  if (refText !== undefined) {
    const units = { ...unbounded, ...limitsOf(config) };
    config.referencePrice = priceTicks(r, 'reference price', refText, units);
  }
  if (stp !== undefined) config.stp = stp;
  if (phase !== undefined) config.phase = phase;
  if (haltPauseNs !== undefined) config.haltPauseNs = haltPauseNs;
  return withTs({ type: 'instrument', instrument: config }, r);
}

function positiveStep(r: FieldReader, name: string): string {
  const text = r.decimal(name);
  if (parseDecimal(text)!.mantissa <= 0n) r.fail('malformed', `${name} ${text} is not positive`);
  return text;
}
