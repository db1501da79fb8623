import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';
import { authHook } from './auth-hook.js';
import {
  chaosBody,
  limitQuery,
  massCancelQuery,
  orderIdParams,
  ordersQuery,
  placeBody,
  replaceBody,
  signedHeaders,
} from './schemas.js';

type Body = Record<string, unknown>;

/** Signed order entry and private queries; every route acts for the key's own account only. */
export function registerOrderRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const s = ctx.service;
  const auth = { preValidation: authHook(ctx) };
  const schema = (extra: object) => ({ tags: ['orders'], headers: signedHeaders, ...extra });
  const me = (req: { principal?: import('../auth/index.js').Principal }) => {
    if (req.principal === undefined) throw new ApiError('unauthorized', 'Not authenticated');
    return req.principal;
  };

  app.post<{ Body: Body }>(
    '/api/v1/orders',
    { ...auth, schema: schema({ body: placeBody }) },
    async (req, reply) => {
      const r = await s.place(me(req), req.body);
      return reply.code(r.status).send(r.body);
    },
  );

  app.delete<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId',
    { ...auth, schema: schema({ params: orderIdParams }) },
    async (req) => s.cancel(me(req), req.params.orderId),
  );

  app.patch<{ Params: { orderId: string }; Body: Body }>(
    '/api/v1/orders/:orderId',
    { ...auth, schema: schema({ params: orderIdParams, body: replaceBody }) },
    async (req) => s.replace(me(req), req.params.orderId, req.body),
  );

  app.delete<{ Querystring: { symbol?: string } }>(
    '/api/v1/orders',
    { ...auth, schema: schema({ querystring: massCancelQuery }) },
    async (req) => s.massCancel(me(req), req.query.symbol),
  );

  app.get<{ Params: { orderId: string } }>(
    '/api/v1/orders/:orderId',
    { ...auth, schema: schema({ params: orderIdParams }) },
    async (req) => s.get(me(req), req.params.orderId),
  );

  app.get<{ Querystring: { status: string; symbol?: string; limit: number } }>(
    '/api/v1/orders',
    { ...auth, schema: schema({ querystring: ordersQuery }) },
    async (req) => s.list(me(req), req.query),
  );

  app.get<{ Querystring: { symbol?: string; limit: number } }>(
    '/api/v1/fills',
    { ...auth, schema: schema({ querystring: limitQuery }) },
    async (req) => s.fills(me(req), req.query),
  );

  app.get('/api/v1/account', { ...auth, schema: schema({}) }, async (req) => {
    const p = me(req);
    return {
      account: p.account,
      role: p.role,
      keyId: p.keyId,
      enabled: ctx.risk.isEnabled(p.account),
      limits: ctx.risk.limits(p.account),
    };
  });

  // Admin only: a run loads the server's CPU for seconds.
  let chaosRunning = false;
  app.post<{ Body: { modes?: string[] } | undefined }>(
    '/api/v1/chaos',
    { preValidation: authHook(ctx, true), schema: schema({ body: chaosBody }) },
    async (req) => {
      if (ctx.chaos === undefined)
        throw new ApiError('not_found', 'The chaos runner is not built into this server');
      if (chaosRunning) throw new ApiError('busy', 'A chaos run is already in progress');
      chaosRunning = true;
      try {
        return await ctx.chaos(req.body?.modes ?? ['single', 'sharded', 'lockfree', 'racy']);
      } finally {
        chaosRunning = false;
      }
    },
  );
}
