import { createApp } from './app.js';

const env = process.env;
const DEFAULT_USER = 'demo';
const DEFAULT_PASSWORD = 'correct horse battery staple';

const port = Number(env.PORT ?? 3000);
const host = env.HOST ?? '127.0.0.1';
// Empty or unset: trust no proxy, the TCP peer is the client. Behind nginx on the same host: TRUST_PROXY=loopback.
const trustProxy = (env.TRUST_PROXY ?? '').split(',').map((s) => s.trim()).filter(Boolean);

if (env.LOGIN_USER === undefined || env.LOGIN_PASSWORD === undefined) {
  process.stderr.write(`LOGIN_USER/LOGIN_PASSWORD not set: the account is ${DEFAULT_USER} / ${DEFAULT_PASSWORD}\n`);
}

const app = createApp({
  user: env.LOGIN_USER ?? DEFAULT_USER,
  password: env.LOGIN_PASSWORD ?? DEFAULT_PASSWORD,
  sessionSecret: env.SESSION_SECRET,
  banward: {
    jail: 'web-login',
    socket: env.BANWARD_SOCKET ?? '/run/banward/app.sock',
    trustProxy: trustProxy.length > 0 ? trustProxy : false,
  },
});

const server = app.listen(port, host, (error) => {
  if (error) throw error;
  const { address, port: bound } = server.address();
  process.stdout.write(`express-login listening on http://${address.includes(':') ? `[${address}]` : address}:${bound}\n`);
});

// Reports still queued for the daemon are sent before the process ends.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeIdleConnections();
    void app.locals.banward.close().finally(() => process.exit(0));
  });
}
