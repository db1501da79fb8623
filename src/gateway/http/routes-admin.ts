import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';
import { checkLimits, type RiskLimits } from '../risk/index.js';
import { authHook } from './auth-hook.js';
import { accountParams, keyParams, limitsBody, signedHeaders } from './schemas.js';

/** Admin-only: the kill switch, per-account limits, key revocation and the account list. */
export function registerAdminRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const auth = { preValidation: authHook(ctx, true) };
  const schema = (extra: object) => ({ tags: ['admin'], headers: signedHeaders, ...extra });

  app.post<{ Params: { account: string } }>(
    '/api/v1/admin/accounts/:account/disable',
    { ...auth, schema: schema({ params: accountParams }) },
    async (req) => {
      const cancelled = await ctx.service.disable(req.params.account);
      ctx.saveRisk();
      ctx.logger.warn(
        { account: req.params.account, by: req.principal?.account, cancelled },
        'kill switch',
      );
      return { account: req.params.account, enabled: false, cancelled };
    },
  );

  app.post<{ Params: { account: string } }>(
    '/api/v1/admin/accounts/:account/enable',
    { ...auth, schema: schema({ params: accountParams }) },
    async (req) => {
      ctx.risk.setEnabled(req.params.account, true);
      ctx.saveRisk();
      return { account: req.params.account, enabled: true };
    },
  );

  app.put<{ Params: { account: string }; Body: Partial<RiskLimits> }>(
    '/api/v1/admin/accounts/:account/limits',
    { ...auth, schema: schema({ params: accountParams, body: limitsBody }) },
    async (req) => {
      const bad = checkLimits(req.body);
      if (bad !== null) throw new ApiError('malformed', `Invalid limits: ${bad}`);
      const limits = ctx.risk.setLimits(req.params.account, req.body);
      ctx.saveRisk();
      return { account: req.params.account, limits };
    },
  );

  app.post<{ Params: { keyId: string } }>(
    '/api/v1/admin/keys/:keyId/revoke',
    { ...auth, schema: schema({ params: keyParams }) },
    async (req) => {
      const { keyId } = req.params;
      const account = await ctx.revokeKey(keyId);
      if (account === null) throw new ApiError('not_found', `Unknown API key ${keyId}`);
      ctx.auth.invalidate(keyId);
      // Sessions that authenticated with the key end now, not at their next request.
      const closed = ctx.sessions.close({ keyId }, 'revoked');
      ctx.logger.warn({ keyId, account, by: req.principal?.account, closed }, 'key revoked');
      return { keyId, account, revoked: true, sessionsClosed: closed };
    },
  );

  app.get('/api/v1/admin/accounts', { ...auth, schema: schema({}) }, async () => {
    const accounts = await ctx.listAccounts();
    return {
      accounts: accounts.map((a) => ({
        ...a,
        enabled: ctx.risk.isEnabled(a.account),
        limits: ctx.risk.limits(a.account),
      })),
    };
  });
}
