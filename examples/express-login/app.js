import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import { banward } from '@banward/web/express';

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Hashing first gives both sides one length, so the comparison takes the same time whatever was typed.
const digest = (s) => createHash('sha256').update(String(s)).digest();
const same = (a, b) => timingSafeEqual(digest(a), digest(b));

function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main>${body}</main></body></html>
`;
}

function loginForm(username = '', error = '') {
  return page('Sign in', `<h1>Sign in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <label>User name <input name="username" autocomplete="username" value="${escapeHtml(username)}" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button>Sign in</button>
</form>`);
}

/**
 * The example's Express app.
 *
 * - `banward`: the options of `banward()` from `@banward/web/express`, or `false` to leave it out (the
 *   benchmark's baseline).
 * - `protect`: another middleware mounted where banward would be (the benchmark puts express-rate-limit there).
 * - `user`, `password`: the one account; `sessionSecret`: signs the session cookie (random when left out, so
 *   sessions end with the process).
 */
export function createApp({ banward: banwardOptions = { jail: 'web-login' }, protect, user, password, sessionSecret } = {}) {
  if (!user || !password) throw new TypeError('createApp needs user and password');
  const app = express();
  app.disable('x-powered-by');

  // Before anything else, so a locked client gets 429 on every page, not only on the login.
  if (banwardOptions) {
    const middleware = banward(banwardOptions);
    app.locals.banward = middleware.guard;
    app.use(middleware);
  }
  if (protect) app.use(protect);

  app.use(session({
    secret: sessionSecret ?? randomBytes(32).toString('hex'),
    name: 'sid',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' },
  }));
  app.use(express.urlencoded({ extended: false, limit: '4kb' }), express.json({ limit: '4kb' }));

  app.get('/', (req, res) => {
    if (!req.session.user) return res.redirect(303, '/login');
    res.type('html').send(page('Welcome', `<h1>Hello, ${escapeHtml(req.session.user)}</h1>
<form method="post" action="/logout"><button>Sign out</button></form>`));
  });

  app.get('/login', (req, res) => {
    res.type('html').send(loginForm());
  });

  app.post('/login', (req, res, next) => {
    const wantsJson = req.is('application/json') === 'application/json';
    const username = typeof req.body?.username === 'string' ? req.body.username : '';
    const given = typeof req.body?.password === 'string' ? req.body.password : '';
    // Both comparisons always run, so the answer time does not tell whether the user name exists.
    const userOk = same(username, user);
    const passwordOk = same(given, password);
    if (!(userOk && passwordOk)) {
      // Counted by the app's lockout and reported to the daemon's jail; the client's next request after the
      // limit is answered 429 by the middleware before it reaches this route.
      req.banward?.fail({ username });
      res.status(401);
      return wantsJson ? res.json({ error: 'wrong user name or password' }) : res.type('html').send(loginForm(username, 'Wrong user name or password.'));
    }
    req.banward?.succeed({ username });
    // A new session id on sign-in, so an id planted before it (session fixation) is worth nothing.
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.user = username;
      if (wantsJson) res.json({ ok: true, user: username });
      else res.redirect(303, '/');
    });
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.redirect(303, '/login')));
  });

  return app;
}
