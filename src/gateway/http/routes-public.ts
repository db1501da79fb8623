import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.js';
import { ApiError } from '../errors.js';
import { bookQuery, limitQuery, symbolParams } from './schemas.js';

const tag = (t: string) => ({ tags: [t] });

/** Unsigned routes: health, metrics, instruments and public market data. */
export function registerPublicRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const md = ctx.marketData;
  const known = (symbol: string) => {
    if (!md.has(symbol)) throw new ApiError('unknown_symbol', `Unknown symbol ${symbol}`);
  };

  app.get('/health', { schema: tag('operations') }, async (_req, reply) => {
    const uptimeSec = Math.floor((Date.now() - ctx.startedAt) / 1000);
    if (ctx.closing()) return reply.code(503).send({ status: 'closing', uptimeSec });
    const h = ctx.service.health();
    if (!h.ok) return reply.code(503).send({ status: 'unhealthy', reason: h.reason, uptimeSec });
    return { status: 'ok', mode: ctx.engineInfo().mode, uptimeSec };
  });

  app.get('/metrics', { schema: tag('operations') }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get('/api/v1/instruments', { schema: tag('market data') }, async () => ({
    instruments: md.instruments().map((i) => {
      const u = md.units(i.symbol)!;
      return {
        symbol: i.symbol,
        tickSize: i.tickSize,
        lotSize: i.lotSize,
        bandPct: i.bandPct ?? null,
        referencePrice: i.referencePrice === undefined ? null : u.price(i.referencePrice),
        phase: i.phase,
        lastPrice: i.lastPrice === undefined ? null : u.price(i.lastPrice),
      };
    }),
  }));

  app.get<{ Params: { symbol: string }; Querystring: { depth: number; level: number } }>(
    '/api/v1/book/:symbol',
    { schema: { ...tag('market data'), params: symbolParams, querystring: bookQuery } },
    async (req) => {
      known(req.params.symbol);
      const { depth, level } = req.query;
      if (level === 3) return md.l3Snapshot(req.params.symbol, depth);
      const snap = md.l2Snapshot(req.params.symbol, depth)!;
      return {
        symbol: snap.symbol,
        seq: snap.seq,
        time: snap.time,
        bids: snap.bids,
        asks: snap.asks,
      };
    },
  );

  app.get<{ Params: { symbol: string }; Querystring: { limit: number } }>(
    '/api/v1/trades/:symbol',
    { schema: { ...tag('market data'), params: symbolParams, querystring: limitQuery } },
    async (req) => {
      known(req.params.symbol);
      const trades = md.trades(req.params.symbol, req.query.limit)!;
      return { trades: trades.map(({ type: _t, ...t }) => t) };
    },
  );

  app.get('/api/v1/engine', { schema: tag('operations') }, async () => {
    const info = ctx.engineInfo();
    const m = ctx.metrics;
    return {
      mode: info.mode,
      shards: info.shards,
      ...m.dashboard(),
      journal: { fsync: info.fsync, lag: m.inFlight, storeLag: info.storeLag },
      connections: m.wsConnectionsCount,
      uptimeSec: Math.floor((Date.now() - ctx.startedAt) / 1000),
    };
  });
}
