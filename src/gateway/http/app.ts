import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { Ajv, type ErrorObject } from 'ajv';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Principal } from '../auth/index.js';
import type { GatewayContext } from '../context.js';
import { ApiError, errorBody, httpStatusOf } from '../errors.js';
import { compileStrict, describeSchemaError, ORDER_ENTRY_SCHEMA } from '../orders/order-entry.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerOrderRoutes } from './routes-orders.js';
import { registerPublicRoutes } from './routes-public.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
    principal?: Principal;
  }
}

export interface HttpAppOptions {
  ctx: GatewayContext;
  /** Largest request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** Built web UI to serve at / when it exists. */
  uiDir?: string;
}

/** Path parameters and query strings: text coerced to the schema's types, defaults filled in. */
const textAjv = new Ajv({
  coerceTypes: 'array',
  useDefaults: true,
  removeAdditional: false,
  allowUnionTypes: true,
  allErrors: false,
  strict: false,
});

function sendError(reply: FastifyReply, reason: string, message: string): FastifyReply {
  return reply.code(httpStatusOf(reason)).send(errorBody(reason, message));
}

/**
 * The HTTP API (docs/api.md §3) on fastify: JSON-schema validation of every request, signed routes,
 * and every failure mapped once from its reason code to a status and `{error:{reason,message}}`.
 */
export async function buildHttpApp(opts: HttpAppOptions): Promise<FastifyInstance> {
  const { ctx } = opts;
  const app = Fastify({
    // Per-request logs only when debugging: the server is quiet by default.
    loggerInstance: ctx.logger.child(
      {},
      { level: ['debug', 'trace'].includes(ctx.logger.level) ? ctx.logger.level : 'warn' },
    ) as unknown as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    return503OnClosing: true,
    // Order ids up to the schema's 128 characters (plus "client:") reach the schema, which
    // answers in the API's error shape; fastify's default of 100 would answer 414 itself.
    routerOptions: { maxParamLength: 1024 },
  });

  // Query strings and path parameters are text: they are coerced (limit=100). Bodies are JSON and
  // never coerced; order bodies are validated by order entry's compiled schemas (the same the
  // WebSocket uses), so fastify leaves them alone.
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') {
      if ((schema as Record<string, unknown>)[ORDER_ENTRY_SCHEMA] === true) return () => true;
      return compileStrict(schema);
    }
    return textAjv.compile(schema);
  });

  // Keep the exact body text: the signature covers it byte for byte. The JSON is parsed after
  // the signature is verified (auth-hook.ts), so an unsigned request learns nothing from it.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string' },
    (req, body, done) => {
      req.rawBody = body as string;
      done(null, undefined);
    },
  );

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ApiError) return sendError(reply, err.reason, err.message);
    const e = err as {
      validation?: unknown;
      validationContext?: string;
      code?: string;
      statusCode?: number;
      message: string;
    };
    if (Array.isArray(e.validation) && e.validation.length > 0) {
      const where = e.validationContext ?? 'request';
      const first = e.validation[0] as ErrorObject;
      return sendError(
        reply,
        'malformed',
        `Invalid ${where}: ${describeSchemaError(first, undefined)}`,
      );
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 'too_large', `Body is larger than ${opts.bodyLimit ?? 65536} bytes`);
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 'malformed', 'Content-Type must be application/json');
    }
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, e.statusCode === 404 ? 'not_found' : 'malformed', e.message);
    }
    ctx.logger.error({ err, url: req.url }, 'request failed');
    return sendError(reply, 'internal', 'Internal error');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 'not_found', `No route ${req.method} ${req.url.split('?')[0]}`),
  );
  // While shutting down, new requests are refused; those already running finish.
  app.addHook('onRequest', async (req, reply) => {
    if (ctx.closing() && !req.url.startsWith('/health')) {
      return sendError(reply, 'unavailable', 'The server is shutting down');
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    ctx.metrics.httpDuration.observe(
      { route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'crossbook exchange API',
        description: 'Signed HTTP API; see docs/api.md for signing and the WebSocket at /ws.',
        version: '1',
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  registerPublicRoutes(app, ctx);
  registerOrderRoutes(app, ctx);
  registerAdminRoutes(app, ctx);

  if (opts.uiDir !== undefined && existsSync(opts.uiDir)) {
    await app.register(fastifyStatic, { root: opts.uiDir, prefix: '/', wildcard: false });
  }
  return app;
}
