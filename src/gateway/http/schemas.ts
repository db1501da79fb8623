/** JSON schemas for every route: validation at the edge and the OpenAPI document at /docs. */

// Syntax and exactness are checked by src/protocol, which names the exact problem.
const decimal = {
  type: ['string', 'number'],
  maxLength: 40,
  description: 'Decimal string such as "420.50" (a plain JSON number is accepted)',
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { reason: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const symbolParams = {
  type: 'object',
  required: ['symbol'],
  properties: { symbol: { type: 'string', minLength: 1, maxLength: 32 } },
} as const;

export const orderIdParams = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const accountParams = {
  type: 'object',
  required: ['account'],
  properties: { account: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const placeBody = {
  type: 'object',
  required: ['symbol', 'side', 'qty'],
  additionalProperties: false,
  properties: {
    symbol: { type: 'string', minLength: 1, maxLength: 32 },
    side: { type: 'string', enum: ['buy', 'sell'] },
    kind: { type: 'string', enum: ['limit', 'market', 'stop', 'stopLimit'] },
    qty: decimal,
    price: decimal,
    stopPrice: decimal,
    tif: { type: 'string', enum: ['GTC', 'IOC', 'FOK', 'DAY', 'GTD'] },
    expireAt: { type: 'integer', minimum: 0, description: 'GTD expiry, ms since the epoch' },
    postOnly: { type: 'boolean' },
    displayQty: decimal,
    stp: {
      type: 'string',
      enum: ['none', 'cancelNewest', 'cancelOldest', 'cancelBoth', 'decrement'],
    },
    clientOrderId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
  },
} as const;

export const replaceBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { price: decimal, qty: decimal, stopPrice: decimal },
} as const;

export const limitsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    maxOrderQty: { type: 'string', pattern: '^\\d{1,20}(\\.\\d{1,12})?$' },
    maxNotional: { type: 'string', pattern: '^\\d{1,20}(\\.\\d{1,12})?$' },
    maxOpenOrders: { type: 'integer', minimum: 0 },
    ordersPerSecond: { type: 'integer', minimum: 0 },
    burst: { type: 'integer', minimum: 0 },
  },
} as const;

export const bookQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    depth: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
    level: { type: 'integer', enum: [2, 3], default: 2 },
  },
} as const;

export const limitQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    symbol: { type: 'string', minLength: 1, maxLength: 32 },
  },
} as const;

export const ordersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['open', 'all'], default: 'open' },
    symbol: { type: 'string', minLength: 1, maxLength: 32 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export const massCancelQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { symbol: { type: 'string', minLength: 1, maxLength: 32 } },
} as const;

export const chaosBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    modes: {
      type: 'array',
      items: { type: 'string', enum: ['single', 'sharded', 'lockfree', 'racy'] },
      maxItems: 4,
    },
  },
} as const;

/** Signed routes declare the three headers so /docs shows them. */
export const signedHeaders = {
  type: 'object',
  properties: {
    'x-cb-key': { type: 'string' },
    'x-cb-ts': { type: 'string' },
    'x-cb-sign': { type: 'string' },
  },
} as const;
