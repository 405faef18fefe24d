import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** dist/src/http/*.js → dist/dashboard/ */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>banward</title></head>
<body><h1>banward</h1><p>The dashboard is not built: run <code>npm run build</code> in packages/web, or use the JSON API under /api/v1 (docs/http-api.md).</p></body></html>
`;

/** Every file under `dir`, as URL paths (`/assets/index-1a2b.js`) → absolute paths; none when it does not exist. */
function listFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && statSync(path).size < 16 << 20) files.set('/' + relative(dir, path).split(sep).join('/'), path);
    }
  };
  try {
    walk(dir);
  } catch {
    return new Map();
  }
  return files;
}

/**
 * The dashboard's static files: those present at start, each its own route, so no request path is ever
 * joined to a directory (nothing to traverse). `/` is index.html, or a page saying the dashboard is not built.
 */
export function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): void {
  const files = listFiles(dir);
  const index = files.get('/index.html');
  const serve = (urlPath: string, body: () => Buffer | string, type: string): void => {
    app.get(urlPath, { config: { access: 'public' } }, (_request, reply) => reply.type(type).header('Cache-Control', urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache').send(body()));
  };
  serve('/', index ? () => readFileSync(index) : () => NOT_BUILT, 'text/html; charset=utf-8');
  for (const [urlPath, path] of files) {
    serve(urlPath, () => readFileSync(path), CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
  }
}
