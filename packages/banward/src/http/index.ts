export { buildHttpApp, BODY_LIMIT } from './http-app.js';
export type { HttpAppDependencies, MetricsSource } from './http-app.js';
export { startHttpServer, describeListen } from './http-server.js';
export type { HttpServer } from './http-server.js';
export { readHttpSettings, parseListen, DEFAULT_HTTP_JAIL, DEFAULT_HTTP_LISTEN } from './http-settings.js';
export type { HttpListen, HttpSettings } from './http-settings.js';
