import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';

/**
 * Runs first on every signed route (fastify's preValidation, before any schema): verifies the
 * signature headers, checks the role, and only then parses the JSON body the signature covers.
 * Sets `req.principal` and `req.body`.
 */
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
    const text = req.rawBody;
    if (text !== undefined && text.trim() !== '') {
      try {
        req.body = JSON.parse(text);
      } catch (err) {
        throw new ApiError('malformed', `Body is not valid JSON: ${(err as Error).message}`);
      }
    }
  };
}
