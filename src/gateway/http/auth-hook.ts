import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';

/** Verifies the signature headers; sets `req.principal`. */
export function authHook(ctx: GatewayContext, admin = false) {
  return async (req: FastifyRequest): Promise<void> => {
    const h = req.headers;
    const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const principal = await ctx.auth.verify(
      { key: one(h['x-cb-key']), ts: one(h['x-cb-ts']), sign: one(h['x-cb-sign']) },
      { method: req.method, path: req.url, body: req.rawBody ?? '' },
    );
    if (admin && principal.role !== 'admin') {
      throw new ApiError('forbidden', 'This route needs an admin key');
    }
    req.principal = principal;
  };
}
