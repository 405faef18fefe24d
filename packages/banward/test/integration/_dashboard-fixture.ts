/**
 * A stand-in for the daemon's HTTP API (docs/http-api.md) on loopback: it serves the built dashboard with
 * the daemon's security headers and answers the API from fixtures, so the dashboard's screens are tested
 * in a browser without a daemon. Events pushed with `push` go to every open /api/v1/events stream.
 */
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
export const READ_TOKEN = 'read-token-4f1c0a';
export const ADMIN_TOKEN = 'admin-token-9b2e7d';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

export interface RecordedRequest { method: string; url: string; authorization: string | undefined; body: string }

/** What the fixture answers for the read routes (the admin routes always succeed, and are recorded). */
export interface Fixtures {
  jails: unknown;
  bans: (query: URLSearchParams) => unknown;
  story: (ip: string) => unknown;
  activity: unknown;
  top: unknown;
}

export interface FixtureServer {
  url: string;
  requests: RecordedRequest[];
  /** Sends one event to every open stream; resolves once at least one stream is open to receive it. */
  push(type: string, data: unknown): Promise<void>;
  /** Writes `text` as it is to every open stream (malformed events, odd line endings). */
  pushRaw(text: string): Promise<void>;
  /** Ends every open event stream, as a daemon restart would. */
  endStreams(): void;
  /** From now on every token is refused (401), as when the daemon's token files change. */
  revokeTokens(): void;
  close(): Promise<void>;
}

export async function startFixtureServer(fixtures: Fixtures): Promise<FixtureServer> {
  const requests: RecordedRequest[] = [];
  const streams = new Set<ServerResponse>();
  let streamOpened: () => void = () => undefined;
  let revoked = false;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const api = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const auth = req.headers.authorization;
    const role = revoked ? null : auth === `Bearer ${ADMIN_TOKEN}` ? 'admin' : auth === `Bearer ${READ_TOKEN}` ? 'read' : null;
    if (role === null) return reply(res, 401, { code: 'BANWARD_ERR_HTTP_AUTH', message: 'a valid bearer token is needed' });
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /api/v1/whoami') return reply(res, 200, { role });
    if (route === 'GET /api/v1/jails') return reply(res, 200, fixtures.jails);
    if (route === 'GET /api/v1/bans') return reply(res, 200, fixtures.bans(url.searchParams));
    if (route === 'GET /api/v1/activity') return reply(res, 200, fixtures.activity);
    if (route === 'GET /api/v1/top') return reply(res, 200, fixtures.top);
    if (req.method === 'GET' && url.pathname.startsWith('/api/v1/ips/')) return reply(res, 200, fixtures.story(decodeURIComponent(url.pathname.slice(12))));
    const changes = route === 'POST /api/v1/bans' || (req.method === 'DELETE' && url.pathname.startsWith('/api/v1/bans/'));
    if (changes && role !== 'admin') return reply(res, 403, { code: 'BANWARD_ERR_HTTP_FORBIDDEN', message: 'the admin token is needed' });
    if (route === 'POST /api/v1/bans') return reply(res, 201, { banned: 1 });
    if (changes) return reply(res, 200, { unbanned: 1 });
    if (route === 'GET /api/v1/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': keepalive\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return streamOpened();
    }
    return reply(res, 404, { code: 'BANWARD_ERR_HTTP_NOT_FOUND', message: 'no such route' });
  };
  const asset = (res: ServerResponse, pathname: string) => {
    const file = normalize(join(DASHBOARD_DIR, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(DASHBOARD_DIR) || !existsSync(file) || !TYPES[extname(file)]) return reply(res, 404, { code: 'BANWARD_ERR_HTTP_NOT_FOUND', message: 'no such file' });
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] });
    res.end(readFileSync(file));
  };

  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fixture');
      const body = Buffer.concat(chunks).toString();
      if (url.pathname.startsWith('/api/')) {
        requests.push({ method: req.method ?? '', url: url.pathname + url.search, authorization: req.headers.authorization, body });
        api(req, res, url);
      } else {
        asset(res, url.pathname);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const endStreams = () => {
    for (const stream of streams) {
      streams.delete(stream);
      stream.end();
    }
  };
  const pushRaw = async (text: string) => {
    if (streams.size === 0) await new Promise<void>((resolve) => { streamOpened = resolve; });
    for (const stream of streams) stream.write(text);
  };

  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    push: (type, data) => pushRaw(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
    pushRaw,
    endStreams,
    revokeTokens() { revoked = true; },
    async close() {
      endStreams();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
