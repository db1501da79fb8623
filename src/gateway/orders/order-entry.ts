import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  decimalText,
  ORDER_KINDS,
  STP_MODES,
  TIME_IN_FORCE,
  type PlaceOrder,
  type ReplaceOrder,
} from '../../core/index.js';
import {
  textToSteps,
  type InstrumentRegistry,
  type InstrumentUnits,
} from '../../protocol/index.js';
import { ApiError, type GatewayReason } from '../errors.js';

/**
 * Order entry for every transport (HTTP and WebSocket): one compiled JSON schema per request
 * body, validated without type coercion, then the core command built directly from the validated
 * fields with the protocol's decimal codec (src/protocol textToSteps). docs/api.md §1 states the
 * decimal rules; §3.1 the fields.
 */

/**
 * A decimal on the API: a string of digits with at most one point, no sign other than a leading
 * "-" (refused later as not positive, with its own reason), no spaces, no "+", no leading zeros
 * ("0.5" yes, "00001" no), at most 40 characters; or a plain JSON number (not in exponent form).
 */
export const DECIMAL_PATTERN = '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$';

const decimal = {
  type: ['string', 'number'],
  pattern: DECIMAL_PATTERN,
  maxLength: 40,
  description: 'Decimal string such as "420.50" (a plain JSON number is accepted)',
} as const;

export const CLIENT_ORDER_ID_PATTERN = '^[A-Za-z0-9._:-]{1,64}$';

/** Epoch ms before 1973-03-03 (1e11) is surely seconds: answered with a hint. */
const SECONDS_LIKE = 100_000_000_000;
/** Latest expiry: year 9999 in ms. */
const MAX_EXPIRE_MS = 253_402_300_799_999;

/** Marks the bodies that order entry validates itself (HTTP's fastify skips them). */
export const ORDER_ENTRY_SCHEMA = 'x-crossbook-order-entry';

export const placeBody = {
  [ORDER_ENTRY_SCHEMA]: true,
  type: 'object',
  required: ['symbol', 'side', 'qty'],
  additionalProperties: false,
  properties: {
    symbol: { type: 'string', minLength: 1, maxLength: 32 },
    side: { type: 'string', enum: ['buy', 'sell'] },
    kind: { type: 'string', enum: [...ORDER_KINDS] },
    qty: decimal,
    price: decimal,
    stopPrice: decimal,
    tif: { type: 'string', enum: [...TIME_IN_FORCE] },
    expireAt: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_EXPIRE_MS,
      description: 'GTD expiry, ms since the epoch (HTTP and WebSocket alike)',
    },
    postOnly: { type: 'boolean' },
    displayQty: decimal,
    stp: { type: 'string', enum: [...STP_MODES] },
    clientOrderId: { type: 'string', pattern: CLIENT_ORDER_ID_PATTERN },
  },
} as const;

export const replaceBody = {
  [ORDER_ENTRY_SCHEMA]: true,
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { price: decimal, qty: decimal, stopPrice: decimal },
} as const;

/** The order reference of a WebSocket cancel or replace: `orderId` or `clientOrderId`. */
export const orderRefFields = {
  orderId: { type: 'string', minLength: 1, maxLength: 128 },
  clientOrderId: { type: 'string', pattern: CLIENT_ORDER_ID_PATTERN },
} as const;

const ajv = new Ajv({ coerceTypes: false, allowUnionTypes: true, allErrors: false, strict: false });
/** The one compiled validator per body, shared by the HTTP routes and the WebSocket. */
export const validatePlace: ValidateFunction = ajv.compile(placeBody);
export const validateReplace: ValidateFunction = ajv.compile(replaceBody);
const validateRef: ValidateFunction = ajv.compile({
  type: 'object',
  properties: orderRefFields,
});
/** Compiles other bodies (admin, chaos) with the same non-coercing settings. */
export const compileStrict = (schema: object): ValidateFunction => ajv.compile(schema);

const jsonType = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `a ${typeof v}`;

/** One sentence for the first schema error: names the field, lists an enum's values. */
export function describeSchemaError(e: ErrorObject, data: unknown): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = path === '' ? 'the body' : path;
  let value: unknown = data;
  for (const k of e.instancePath.split('/').slice(1)) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[k]
        : undefined;
  }
  const got = value === undefined ? '' : `, got ${JSON.stringify(value)?.slice(0, 60)}`;
  switch (e.keyword) {
    case 'required':
      return `missing required field ${String(e.params.missingProperty)}`;
    case 'additionalProperties':
      return `unknown field ${String(e.params.additionalProperty)}`;
    case 'enum':
      return `${field} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}${got}`;
    case 'type': {
      const want = String(e.params.type);
      const words =
        want === 'string,number'
          ? 'a decimal string such as "420.50"'
          : want === 'integer'
            ? 'an integer'
            : `a ${want}`;
      return `field ${field} must be ${words}, got ${jsonType(value)}`;
    }
    case 'pattern':
      if (path === 'clientOrderId' || path === 'orderId')
        return `${field} must be 1..64 characters of A-Z a-z 0-9 . _ : -${got}`;
      return `${field} must be a decimal such as "420.50": digits with one optional point, no sign, spaces or leading zeros${got}`;
    case 'maximum':
    case 'minimum':
      if (path === 'expireAt') return `expireAt must be milliseconds since the epoch${got}`;
      return `${field} must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(e.params.limit)}${got}`;
    case 'minProperties':
      return 'give at least one of price, qty, stopPrice';
    default:
      return `${field} ${e.message ?? 'is invalid'}${got}`;
  }
}

function check(v: ValidateFunction, body: unknown, prefix: string): void {
  if (v(body)) return;
  const e = v.errors?.[0];
  throw new ApiError(
    'malformed',
    `${prefix}: ${e === undefined ? 'invalid body' : describeSchemaError(e, body)}`,
  );
}

export type Fields = Record<string, unknown>;

/** Validated place fields with the client's id (not part of the core command). */
export interface PlaceEntry {
  command: PlaceOrder;
  clientOrderId?: string;
}

/**
 * Reads one order request: validates `body` with the shared compiled schema, then builds the core
 * command. `orderIdFor` names the order once the client id is known. Structure errors come first
 * (malformed), then the symbol (unknown_symbol), then values (invalid_*, *_off_*, too_large).
 */
export class OrderEntry {
  constructor(private readonly instruments: InstrumentRegistry) {}

  units(symbol: string): InstrumentUnits {
    const u = this.instruments.get(symbol);
    if (u === undefined) throw new ApiError('unknown_symbol', `Unknown symbol ${symbol}`);
    return u;
  }

  /** Validates only (structure), so an idempotent retry can be recognised before building. */
  validatePlace(body: unknown): asserts body is Fields {
    check(validatePlace, body, 'Cannot place an order');
  }

  place(body: Fields, account: string, orderId: string): PlaceOrder {
    const name =
      typeof body.clientOrderId === 'string' ? `order ${body.clientOrderId}` : 'an order';
    const prefix = `Cannot place ${name}`;
    const kind = (body.kind as PlaceOrder['kind'] | undefined) ?? 'limit';
    const needsPrice = kind === 'limit' || kind === 'stopLimit';
    const needsStop = kind === 'stop' || kind === 'stopLimit';
    const fail = (reason: GatewayReason, m: string): never => {
      throw new ApiError(reason, `${prefix}: ${m}`);
    };
    if (needsPrice && body.price === undefined) fail('malformed', `a ${kind} order needs a price`);
    if (needsStop && body.stopPrice === undefined)
      fail('malformed', `a ${kind} order needs a stopPrice`);
    const tif = body.tif as PlaceOrder['tif'] | undefined;
    const expireAt = body.expireAt as number | undefined;
    if (tif === 'GTD' && expireAt === undefined) fail('malformed', 'a GTD order needs expireAt');
    if (expireAt !== undefined && expireAt < SECONDS_LIKE) {
      fail(
        'malformed',
        `expireAt ${expireAt} looks like seconds: expireAt is milliseconds since the epoch`,
      );
    }
    const u = this.units(body.symbol as string);
    const cmd: PlaceOrder = {
      type: 'place',
      symbol: u.symbol,
      orderId,
      account,
      side: body.side as PlaceOrder['side'],
      kind,
      qty: 0,
    };
    if (needsPrice) cmd.price = steps(fail, 'price', body.price, u, 'tick');
    if (needsStop) cmd.stopPrice = steps(fail, 'stopPrice', body.stopPrice, u, 'tick');
    cmd.qty = steps(fail, 'qty', body.qty, u, 'lot');
    if (body.displayQty !== undefined)
      cmd.displayQty = steps(fail, 'displayQty', body.displayQty, u, 'lot');
    notional(fail, cmd.price ?? cmd.stopPrice, cmd.qty);
    if (tif !== undefined) cmd.tif = tif;
    if (body.postOnly !== undefined) cmd.postOnly = body.postOnly as boolean;
    // The API speaks ms on every transport; the engine's expiry is ns.
    if (expireAt !== undefined) cmd.expireAt = expireAt * 1e6;
    if (body.stp !== undefined) cmd.stp = body.stp as PlaceOrder['stp'];
    return cmd;
  }

  /** Validates a replace body's structure only (before the order is looked up). */
  validateReplace(body: unknown, ref: string): void {
    check(validateReplace, body, `Cannot replace order ${ref}`);
  }

  replace(body: unknown, account: string, orderId: string, symbol: string): ReplaceOrder {
    const prefix = `Cannot replace order ${orderId}`;
    check(validateReplace, body, prefix);
    const b = body as Fields;
    const fail = (reason: GatewayReason, m: string): never => {
      throw new ApiError(reason, `${prefix}: ${m}`);
    };
    const u = this.units(symbol);
    const cmd: ReplaceOrder = { type: 'replace', symbol, orderId, account };
    if (b.price !== undefined) cmd.price = steps(fail, 'price', b.price, u, 'tick');
    if (b.stopPrice !== undefined) cmd.stopPrice = steps(fail, 'stopPrice', b.stopPrice, u, 'tick');
    if (b.qty !== undefined) cmd.qty = steps(fail, 'qty', b.qty, u, 'lot');
    notional(fail, cmd.price ?? cmd.stopPrice, cmd.qty);
    return cmd;
  }
}

/** `orderId` or `client:<clientOrderId>` from a WebSocket cancel / replace message. */
export function readOrderRef(msg: Fields, op: string): string {
  check(validateRef, msg, `Cannot ${op} an order`);
  if (typeof msg.orderId === 'string') return msg.orderId;
  if (typeof msg.clientOrderId === 'string') return `client:${msg.clientOrderId}`;
  throw new ApiError('malformed', `Cannot ${op} an order: give orderId or clientOrderId`);
}

/** A decimal (already shape-checked by the schema) as a count of ticks or lots. */
function steps(
  fail: (r: GatewayReason, m: string) => never,
  field: string,
  value: unknown,
  u: InstrumentUnits,
  unit: 'tick' | 'lot',
): number {
  const text = decimalText(value);
  if (text === null || !new RegExp(DECIMAL_PATTERN).test(text)) {
    return fail(
      'malformed',
      `${field} ${JSON.stringify(value)} is not a plain decimal (no exponent form)`,
    );
  }
  const bad = unit === 'tick' ? 'invalid_price' : 'invalid_qty';
  if (text.startsWith('-') || /^0(\.0+)?$/.test(text))
    return fail(bad, `${field} ${text} is not positive`);
  const r = textToSteps(text, unit === 'tick' ? u.tick : u.lot);
  if (r.ok) return r.value;
  if (r.error === 'off_step') {
    return unit === 'tick'
      ? fail('price_off_tick', `${field} ${text} is not a multiple of tick ${u.tickSize}`)
      : fail('qty_off_lot', `${field} ${text} is not a multiple of lot ${u.lotSize}`);
  }
  return fail('too_large', `${field} ${text} is too large`);
}

function notional(
  fail: (r: GatewayReason, m: string) => never,
  price?: number,
  qty?: number,
): void {
  if (price !== undefined && qty !== undefined && price * qty > Number.MAX_SAFE_INTEGER) {
    fail('too_large', `price x quantity is too large (above ${Number.MAX_SAFE_INTEGER} tick-lots)`);
  }
}
