import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

/**
 * One variant of examples/express-login in a process of its own (so autocannon does not share its thread),
 * run as `node _express-variant.js VARIANT SOCKET`; prints the port it listens on.
 */
export const VARIANTS = ['express alone', 'an empty middleware', '@banward/web', '@banward/web, no daemon', 'express-rate-limit'] as const;
export type Variant = (typeof VARIANTS)[number];

interface ExampleModule {
  createApp: (options: { user: string; password: string; banward?: object | false; protect?: RequestHandler }) => {
    listen(port: number, host: string, cb: () => void): { address(): AddressInfo | string | null };
  };
}

export const BENCH_USER = { username: 'alice', password: 'open sesame' };

async function serve(variant: Variant, socket: string): Promise<void> {
  const { createApp } = await import(new URL('../../../../examples/express-login/app.js', import.meta.url).href) as ExampleModule;
  // The failed-login run must measure counting and reporting, not the 429 of a locked client.
  const lockout = { maxFailures: 1_000_000_000 };
  const app = createApp({
    user: BENCH_USER.username,
    password: BENCH_USER.password,
    banward: variant === '@banward/web' ? { jail: 'web-login', socket, lockout }
      : variant === '@banward/web, no daemon' ? { lockout } : false,
    ...(variant === 'express-rate-limit'
      // Its usual login setup (count failed responses only), with the limit out of reach for the same reason.
      ? { protect: rateLimit({ windowMs: 15 * 60_000, limit: 1_000_000_000, skipSuccessfulRequests: true, standardHeaders: 'draft-8', legacyHeaders: false }) }
      // What one more layer costs in Express itself, whatever it does: the floor for any middleware.
      : variant === 'an empty middleware' ? { protect: (_req, _res, next) => next() } : {}),
  });
  const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  // An orderly exit, so that a `--cpu-prof` run writes its profile.
  process.once('SIGINT', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(process.argv[2] as Variant, process.argv[3]!);
