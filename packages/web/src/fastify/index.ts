import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createGuard, type Attempt, type BanwardWebOptions, type Guard } from '../core/index.js';
import { assertFunctionOption } from '../_adapter-options.js';
import { beginAttempt } from '../node/_http.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request the plugin's hooks cover and the guard let through. */
    banward: Attempt;
  }
  interface FastifyInstance {
    banward: Guard;
  }
}

export interface FastifyBanwardOptions extends BanwardWebOptions {
  /**
   * Reads the username before the route runs, for username lockouts. With it the check moves from
   * `onRequest` to `preValidation`, the first hook that sees the parsed body.
   */
  username?: (request: FastifyRequest) => string | undefined;
}

/**
 * The Fastify (4 and 5) plugin: `app.register(banward, { jail: 'web-login', trustProxy: ['loopback'] })`.
 * Not encapsulated, like a plugin wrapped in fastify-plugin: it guards the context it is registered in.
 * It ignores Fastify's own `trustProxy`, so one list decides the address everywhere in banward.
 */
export async function banward(fastify: FastifyInstance, options: FastifyBanwardOptions): Promise<void> {
  const { username, ...core } = options;
  assertFunctionOption('username', username);
  const guard = createGuard(core);
  fastify.decorate('banward', guard);
  fastify.decorateRequest<Attempt | null>('banward', null);
  fastify.addHook(username ? 'preValidation' : 'onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const attempt = beginAttempt(guard, request.raw, request.url, username?.(request));
    if (attempt.refusal) {
      const { status, headers, body } = attempt.refusal;
      return reply.code(status).headers(headers).send(body);
    }
    request.banward = attempt;
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // Null when the check did not run, e.g. a body Fastify could not parse ended the request first.
    const attempt: Attempt | null = request.banward;
    attempt?.end(reply.statusCode, request, reply);
  });
  fastify.addHook('onClose', async () => {
    await guard.close();
  });
}

// What fastify-plugin would set, without depending on it.
Object.assign(banward, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@banward/web',
  [Symbol.for('plugin-meta')]: { name: '@banward/web', fastify: '4.x || 5.x' },
});

export type { Attempt, BanwardWebOptions, Guard } from '../core/index.js';
