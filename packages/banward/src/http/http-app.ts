import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Clock } from '../clock.js';
import type { DaemonControl } from '../control/index.js';
import { BanwardError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { canonical } from '../net/ip-address.js';
import { checkRole, tokenChecker, type Role, type RouteAccess } from './_access.js';
import { registerApiRoutes } from './_api-routes.js';
import { registerDashboard } from './_dashboard-files.js';
import { errorReply } from './_error-replies.js';
import { DEFAULT_EVENT_STREAM_LIMITS, registerEventStream, type EventStreamLimits } from './_event-stream.js';
import { SECURITY_HEADERS } from './_security-headers.js';
import { describeWarning } from '../warnings.js';
import type { HttpSettings } from './http-settings.js';

/** Where /metrics comes from (the Prometheus registry); without one, /metrics is a 404. */
export interface MetricsSource {
  contentType: string;
  render(): Promise<string>;
}

export interface HttpAppDependencies {
  control: DaemonControl;
  settings: HttpSettings;
  clock: Clock;
  log: Logger;
  metrics?: MetricsSource;
  /** The built dashboard (default: dist/dashboard beside this module). */
  dashboardDir?: string;
  eventStream?: Partial<EventStreamLimits>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    role: Role | null;
  }
}

/** Request bodies are small JSON objects (a ban, a few ignore entries). */
export const BODY_LIMIT = 16 * 1024;

/**
 * The HTTP API and dashboard as a Fastify app, not yet listening (tests drive it with `inject()`).
 * Every request: a client banned in the HTTP jail is refused; the route's access rule is checked
 * against the bearer token; a wrong or missing token on a route that needs one is reported into
 * that jail as a failure of the client's address.
 */
export function buildHttpApp(deps: HttpAppDependencies): FastifyInstance {
  const { control, settings, log } = deps;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // Longer than the event stream's keepalive, so an idle stream is not cut; slow-loris requests are cut by requestTimeout.
    connectionTimeout: 60_000,
    requestTimeout: 10_000,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 },
    trustProxy: settings.trustedProxies.length > 0 ? [...settings.trustedProxies] : false,
    return503OnClosing: true,
    forceCloseConnections: true,
    logger: false,
    // Errors the router meets before any route (an over-long parameter, a bad URL encoding) get the same JSON replies.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = errorReply(error);
      void (reply as unknown as FastifyReply).code(status).headers(SECURITY_HEADERS).send(body);
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  });
  const roleOf = tokenChecker(settings);
  const jail = settings.jail;
  let uncountedWarned = false;
  const jailRuns = (): boolean => {
    if (control.jailNames().includes(jail)) return true;
    if (!uncountedWarned) log.warn(describeWarning({ code: 'BANWARD_W_HTTP_UNCOUNTED', message: `failed logins are not counted: no jail ${jail}` }));
    uncountedWarned = true;
    return false;
  };
  jailRuns();

  /** The client's address, or null on a unix socket (no peer address: nothing to ban or count). */
  const clientIp = (ip: string | undefined): string | null => (ip ? canonical(ip) : null);

  const countFailure = async (ip: string | null): Promise<void> => {
    if (ip === null || !jailRuns()) return;
    await control.report(jail, ip).catch((error: unknown) => log.error(`reporting a failed HTTP login of ${ip}: ${String(error)}`));
  };

  app.decorateRequest('role', null);
  app.addHook('onRequest', async (request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
    if (request.url.startsWith('/api/')) void reply.header('Cache-Control', 'no-store');
    const access = request.routeOptions.config.access ?? 'public';
    const ip = clientIp(request.ip);
    if (ip !== null && request.url !== '/healthz' && control.jailNames().includes(jail) && control.activeBans({ jail, covering: [ip] }).length > 0) {
      throw new BanwardError('BANWARD_ERR_HTTP_FORBIDDEN', `${ip} is banned in ${jail}`);
    }
    request.role = roleOf(request.headers.authorization);
    try {
      checkRole(access, request.role, settings.metricsPublic);
    } catch (error) {
      if ((error as BanwardError).code === 'BANWARD_ERR_HTTP_AUTH') await countFailure(ip);
      throw error;
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body, internal } = errorReply(error);
    if (internal) log.error(`HTTP ${request.method} ${request.routeOptions.url ?? '?'}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ code: 'BANWARD_ERR_HTTP_NOT_FOUND', message: `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` }));

  app.get('/healthz', { config: { access: 'public' } }, () => ({ status: 'ok' }));
  app.get('/metrics', { config: { access: 'metrics' } }, async (_request, reply) => {
    const { metrics } = deps;
    if (!metrics) throw new BanwardError('BANWARD_ERR_HTTP_NOT_FOUND', 'this daemon serves no metrics');
    return reply.type(metrics.contentType).send(await metrics.render());
  });
  registerApiRoutes(app, control, deps.clock);
  registerEventStream(app, control, { ...DEFAULT_EVENT_STREAM_LIMITS, ...deps.eventStream }, log);
  registerDashboard(app, deps.dashboardDir);
  return app;
}
