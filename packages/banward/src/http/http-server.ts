import { lstatSync, mkdirSync, unlinkSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BanwardError } from '../errors.js';
import { describeWarning } from '../warnings.js';
import { buildHttpApp, type HttpAppDependencies } from './http-app.js';
import type { HttpListen } from './http-settings.js';

export interface HttpServer {
  /** `http://127.0.0.1:9191` or `unix:/run/banward/http.sock`. */
  readonly address: string;
  close(): Promise<void>;
}

export function describeListen(listen: HttpListen): string {
  if (listen.kind === 'unix') return `unix:${listen.path}`;
  return `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}

/** A stale socket file from a killed daemon is removed; any other file at the path is left alone (listen then fails). */
function prepareSocketPath(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there.
  }
}

/** Builds the app and listens on the settings' address; throws BANWARD_ERR_HTTP_LISTEN when it cannot. */
export async function startHttpServer(deps: HttpAppDependencies): Promise<HttpServer> {
  const { listen } = deps.settings;
  const address = describeListen(listen);
  if (listen.kind === 'tcp' && !listen.loopback) {
    deps.log.warn(describeWarning({ code: 'BANWARD_W_HTTP_REMOTE', message: `the HTTP API listens on ${address} without TLS: put a TLS proxy in front` }));
  }
  const app: FastifyInstance = buildHttpApp(deps);
  try {
    if (listen.kind === 'unix') {
      prepareSocketPath(listen.path);
      await app.listen({ path: listen.path });
      // Whoever reaches the socket still needs a token; the proxy in front runs as another user.
      chmodSync(listen.path, 0o666);
    } else {
      await app.listen({ host: listen.host, port: listen.port });
    }
  } catch (error) {
    await app.close().catch(() => undefined);
    throw new BanwardError('BANWARD_ERR_HTTP_LISTEN', `cannot listen on ${address}: ${(error as Error).message}`, { cause: error });
  }
  deps.log.notice(`HTTP API listening on ${address}`);
  return {
    address,
    async close() {
      await app.close();
      if (listen.kind === 'unix') {
        try {
          unlinkSync(listen.path);
        } catch {
          // Already gone.
        }
      }
    },
  };
}
