import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { banward } from '@banward/web/fastify';

// Hashing first gives both sides one length, so the comparison takes the same time whatever was typed.
const digest = (s) => createHash('sha256').update(String(s)).digest();
const same = (a, b) => timingSafeEqual(digest(a), digest(b));

const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', maxLength: 256 },
      password: { type: 'string', maxLength: 1024 },
    },
  },
};

/**
 * The example's Fastify app.
 *
 * - `banward`: the options of the `banward` plugin from `@banward/web/fastify`, or `false` to leave it out.
 * - `user`, `password`: the one account.
 */
export function buildApp({ banward: banwardOptions = { jail: 'web-login' }, user, password } = {}) {
  if (!user || !password) throw new TypeError('buildApp needs user and password');
  const app = Fastify({ bodyLimit: 4096 });

  // Registered before the routes, so a locked client gets 429 on every route, not only on the login.
  if (banwardOptions) app.register(banward, banwardOptions);

  app.post('/login', { schema: loginSchema }, async (request, reply) => {
    const { username, password: given } = request.body;
    // Both comparisons always run, so the answer time does not tell whether the user name exists.
    const userOk = same(username, user);
    const passwordOk = same(given, password);
    if (!(userOk && passwordOk)) {
      // Counted by the app's lockout and reported to the daemon's jail; the client's next request after the
      // limit is answered 429 by the plugin before it reaches this route.
      await request.banward?.fail({ username });
      return reply.code(401).send({ error: 'wrong user name or password' });
    }
    request.banward?.succeed({ username });
    return { ok: true, user: username };
  });

  return app;
}
