/** JSON schemas for every route: validation at the edge and the OpenAPI document at /docs. */

import { LIMIT_BOUNDS } from '../risk/index.js';

export { placeBody, replaceBody } from '../orders/order-entry.js';

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

export const keyParams = {
  type: 'object',
  required: ['keyId'],
  properties: { keyId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const accountParams = {
  type: 'object',
  required: ['account'],
  properties: { account: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const LIMIT_DECIMAL = '^(0|[1-9][0-9]{0,19})(\\.[0-9]{1,12})?$';

export const limitsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    maxOrderQty: { type: 'string', pattern: LIMIT_DECIMAL },
    maxNotional: { type: 'string', pattern: LIMIT_DECIMAL },
    maxOpenOrders: { type: 'integer', minimum: 0, maximum: LIMIT_BOUNDS.maxOpenOrders },
    ordersPerSecond: { type: 'integer', minimum: 0, maximum: LIMIT_BOUNDS.ordersPerSecond },
    burst: { type: 'integer', minimum: 0, maximum: LIMIT_BOUNDS.burst },
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
