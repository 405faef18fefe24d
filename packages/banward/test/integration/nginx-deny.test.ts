import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import type { BanTicket } from '../../src/enforcer/ban-action.js';
import { NATIVE_ACTIONS, firewallRunner, type ReconcilingAction, type Runner } from '../../src/enforcer/native/index.js';
import { createLogger } from '../../src/log/logger.js';
import { waitFor } from './_daemon.js';
import { ticket } from './_netns.js';

/** A free loopback port (the kernel's pick, released for nginx). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The status nginx answers for a request it believes comes from `client` (X-Forwarded-For, set_real_ip_from 127.0.0.1). */
function status(port: number, client: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { 'X-Forwarded-For': client } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const nginxConf = (prefix: string, port: number, deny: string) => `
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  set_real_ip_from 127.0.0.1;
  real_ip_header X-Forwarded-For;
  geo $banward_banned { default 0; include ${deny}; }
  server {
    listen 127.0.0.1:${port};
    location / {
      if ($banward_banned) { return 403; }
      return 200 "ok\\n";
    }
  }
}
`;

/** nginx with a private prefix on a loopback port, its deny file, and an nginx-deny action for it. */
interface Site {
  port: number;
  deny: string;
  action: ReconcilingAction;
  /** Reload (and other) calls the action made. */
  calls: string[];
  startNginx: () => void;
}

async function withSite(denyText: string, body: (site: Site) => Promise<void>): Promise<void> {
  const prefix = mkdtempSync(join(tmpdir(), 'banward-nginx-'));
  const conf = join(prefix, 'nginx.conf');
  const deny = join(prefix, 'banward-deny.conf');
  const port = await freePort();
  writeFileSync(conf, nginxConf(prefix, port, deny));
  writeFileSync(deny, denyText);
  const nginx = ['-p', prefix, '-c', conf];
  const options = { file: deny, reload: `nginx ${nginx.join(' ')} -s reload` };
  const kind = NATIVE_ACTIONS['nginx-deny']!;
  assert.deepEqual(await kind.canRun(options), { ok: true });
  const action = kind.create(options, { jail: 'web', clock: systemClock, log: createLogger({ level: 'error', write: () => {} }), configDir: '/nonexistent', jailOptions: {} });
  const calls: string[] = [];
  const real = firewallRunner();
  // The factory builds the action with the real runner; this one also counts the calls.
  (action as unknown as { run: Runner }).run = (command, args, input) => {
    calls.push([command, ...args].join(' '));
    return real(command, args, input);
  };
  let started = false;
  try {
    await body({ port, deny, action, calls, startNginx: () => { execFileSync('nginx', nginx, { stdio: 'pipe' }); started = true; } });
  } finally {
    if (started) execFileSync('nginx', [...nginx, '-s', 'stop'], { stdio: 'pipe' });
    rmSync(prefix, { recursive: true, force: true });
  }
}

const web = (ip: string): BanTicket => ({ ...ticket(ip), jail: 'web' });

it('nginx-deny: a banned address behind the proxy gets 403 from a real nginx, after the unban 200; one write and one reload per batch', () => withSite("# the admin's own\n192.0.2.99 1;\n", async ({ port, deny, action, calls, startNginx }) => {
  const banned = [web('203.0.113.5'), web('2001:db8::5'), web('198.51.100.0/24')];
  startNginx();
  await action.start();
  assert.equal(await status(port, '203.0.113.5'), 200, 'served before any ban');
  assert.equal(await status(port, '192.0.2.99'), 403, "the admin's own line in the file works too");

  calls.length = 0;
  await action.ban(banned);
  assert.equal(calls.length, 1, `one reload for the batch: ${calls.join('; ')}`);
  await waitFor('nginx to refuse the banned address', async () => (await status(port, '203.0.113.5')) === 403);
  assert.equal(await status(port, '198.51.100.77'), 403, 'a banned network');
  assert.equal(await status(port, '2001:db8::5'), 403, 'IPv6');
  assert.equal(await status(port, '203.0.113.6'), 200, 'others are served');
  assert.match(readFileSync(deny, 'utf8'), /^# the admin's own\n192\.0\.2\.99 1;\n# banward begin web /);

  await action.unban(banned);
  await waitFor('nginx to serve the unbanned address', async () => (await status(port, '203.0.113.5')) === 200);
  assert.equal(await status(port, '2001:db8::5'), 200);
  await action.stop();
  assert.equal(readFileSync(deny, 'utf8'), "# the admin's own\n192.0.2.99 1;\n");
}));

it('nginx-deny: a reload that failed (nginx down) is done again by the next batch, though the file already holds the ban', () => withSite('', async ({ port, action, startNginx }) => {
  await assert.rejects(action.start(), /nginx .* -s reload failed/, 'nginx is not running: the reload fails');
  startNginx();
  await action.ban([web('203.0.113.5')]);
  await waitFor('nginx to refuse the banned address', async () => (await status(port, '203.0.113.5')) === 403);
  await action.unban([web('203.0.113.5')]);
  await waitFor('nginx to serve it again', async () => (await status(port, '203.0.113.5')) === 200);
}));

it('nginx-deny: a reload command with shell text, and a relative file, are refused', async () => {
  const kind = NATIVE_ACTIONS['nginx-deny']!;
  for (const reload of ['nginx -s reload; rm -rf /', 'nginx -s "reload"', '$(reboot)', 'nginx -s reload | tee']) {
    const can = await kind.canRun({ file: join(tmpdir(), 'deny.conf'), reload });
    assert.equal(can.ok, false, reload);
  }
  assert.equal((await kind.canRun({ file: 'deny.conf' })).ok, false);
  assert.equal((await kind.canRun({ file: join(tmpdir(), 'deny.conf'), reload: 'no-such-reload-tool -s reload' })).ok, false);
});
