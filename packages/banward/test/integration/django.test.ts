/**
 * django-banward (integrations/django) on each Django of _django-releases.ts (3.2, 4.2, 5.2): its own Django
 * test suite, then the example site served by
 * `manage.py runserver` against a real `banward server`'s app socket — failed admin logins (HTTP 200) → ban →
 * 429, `banward_unban` refused on the app socket and lifting the ban on the admin socket → access again, and a
 * spoofed X-Forwarded-For from the untrusted peer changes nothing.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  bannedIps, client, clientJson, makeDaemonDirs, readText, startDaemon, stopDaemon, waitFor, type DaemonHarness,
} from './_daemon.js';
import { DJANGO_RELEASES, djangoEnv, PYTHON, requireDjango } from './_django-releases.js';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const DJANGO_DIR = join(REPO, 'integrations', 'django');
const MANAGE = join(DJANGO_DIR, 'example', 'manage.py');
const ADMIN = { username: 'admin', password: 'the right one' };
const WRONG_LOGIN_TEXT = 'Please enter the correct username and password';

for (const release of DJANGO_RELEASES) describe(`django-banward on ${release.title}`, () => {
  it('passes its Django test suite (runtests.py, Django\'s test runner, against a fake daemon)', () => {
    requireDjango(release);
    const r = spawnSync(PYTHON, [join(DJANGO_DIR, 'runtests.py')], {
      cwd: REPO, encoding: 'utf8', env: djangoEnv(release), timeout: 300_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, output.slice(-4000));
    const ran = /^Ran (\d+) tests? in /m.exec(output);
    assert.ok(ran && Number(ran[1]) > 0, `no tests ran:\n${output.slice(-2000)}`);
    assert.match(output, /^OK$/m);
  });

  describe('the example site under runserver with a real banward server', () => {
    const JAIL = `[DEFAULT]
bantime = 10m
findtime = 10m
maxretry = 5
action = log[path=$DIR/actions.log]

[django-auth]
enabled = true
filter =
logpath =
ignoreself = false
`;
    let h: DaemonHarness;
    let site: ChildProcess | undefined;
    const siteOutput: string[] = [];
    let base = '';

    after(async () => {
      if (site && site.exitCode === null) {
        const exited = new Promise((r) => site!.once('exit', r));
        site.kill('SIGTERM');
        await exited;
      }
      if (h) {
        await stopDaemon(h);
        rmSync(h.dir, { recursive: true, force: true });
      }
    });

    /** The site's environment: BANWARD_SOCKET is the daemon's app socket, as in production. */
    function siteEnv(): NodeJS.ProcessEnv {
      return djangoEnv(release, { ...process.env, BANWARD_SOCKET: h.appSocket, EXAMPLE_DATABASE: join(h.dir, 'db.sqlite3') });
    }

    function runManage(env: NodeJS.ProcessEnv, ...args: string[]): SpawnSyncReturns<string> {
      return spawnSync(PYTHON, [MANAGE, ...args], { encoding: 'utf8', env, timeout: 120_000 });
    }

    function manage(env: NodeJS.ProcessEnv, ...args: string[]): string {
      const r = runManage(env, ...args);
      assert.equal(r.status, 0, `manage.py ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    }

    async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
      return fetch(`${base}${path}`, { headers, redirect: 'manual' });
    }

    it('starts: migrate, a superuser, runserver --noreload on loopback', async () => {
      requireDjango(release);
      h = makeDaemonDirs(JAIL);
      await startDaemon(h);
      const env: NodeJS.ProcessEnv = {
        ...siteEnv(),
        PYTHONUNBUFFERED: '1',
        DJANGO_SUPERUSER_USERNAME: ADMIN.username,
        DJANGO_SUPERUSER_PASSWORD: ADMIN.password,
        DJANGO_SUPERUSER_EMAIL: 'admin@example.com',
      };
      delete env['BANWARD_TRUSTED_PROXIES'];
      manage(env, 'migrate', '--noinput');
      manage(env, 'createsuperuser', '--noinput');
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      site = spawn(PYTHON, [MANAGE, 'runserver', `127.0.0.1:${port}`, '--noreload'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      site.stdout!.on('data', (d: Buffer) => siteOutput.push(d.toString()));
      site.stderr!.on('data', (d: Buffer) => siteOutput.push(d.toString()));
      await waitFor('runserver to answer', async () => {
        if (site!.exitCode !== null) throw new Error(`runserver exited (${site!.exitCode}):\n${siteOutput.join('')}`);
        try {
          return (await get('/admin/login/')).status === 200;
        } catch {
          return false;
        }
      }, 60_000);
      assert.match(siteOutput.join(''), new RegExp(`^Django version ${release.series.replace('.', '\\.')}\\.`, 'm'), 'runserver runs this release');
    });

    it('5 failed admin logins (HTTP 200 each, some with a spoofed X-Forwarded-For) ban 127.0.0.1, not the spoofed addresses', async () => {
      const page = await get('/admin/login/');
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(await page.text())?.[1];
      assert.ok(cookie.includes('csrftoken=') && token, 'the login page sets a CSRF cookie and token');
      const spoofed = ['198.51.100.12', '198.51.100.13', '198.51.100.14'];
      for (let i = 0; i < 5; i++) {
        const xff: Record<string, string> = i >= 2 ? { 'X-Forwarded-For': spoofed[i - 2]! } : {};
        const res: Response = await fetch(`${base}/admin/login/?next=/admin/`, {
          method: 'POST',
          redirect: 'manual',
          headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', ...xff },
          body: new URLSearchParams({ csrfmiddlewaretoken: token, username: ADMIN.username, password: 'wrong', next: '/admin/' }),
        });
        assert.equal(res.status, 200, `failed login ${i + 1} is answered with the form again`);
        assert.ok((await res.text()).includes(WRONG_LOGIN_TEXT));
      }
      // Each report is answered before the login's response is sent, so the ban is there now.
      assert.deepEqual(bannedIps(h, 'django-auth'), ['127.0.0.1']);
      assert.deepEqual(clientJson(h, 'banned', ...spoofed), []);
      const status = client(h, 'status', 'django-auth');
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /Currently banned:\t1\n/);
      assert.match(status.stdout, /Banned IP list:\t127\.0\.0\.1\n/);
      await waitFor('the ban action', () => readText(h.actions).includes('ban jail=django-auth ip=127.0.0.1 '));
    });

    it('the banned client gets 429 with Retry-After, with or without a spoofed X-Forwarded-For', async () => {
      const [ban] = clientJson<Array<{ ip: string; expires: number }>>(h, 'get', 'django-auth', 'banip', '--with-time');
      const variants: Array<Record<string, string>> = [{}, { 'X-Forwarded-For': '203.0.113.99' }];
      for (const headers of variants) {
        const res = await get('/admin/login/', headers);
        assert.equal(res.status, 429);
        const retryAfter = Number(res.headers.get('retry-after'));
        assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
        assert.ok(Date.now() / 1000 + retryAfter >= ban!.expires, 'Retry-After reaches the end of the ban');
      }
      assert.deepEqual(bannedIps(h, 'django-auth'), ['127.0.0.1'], 'the spoofed header banned nobody else');
    });

    it('banward_status (management command) reads the same daemon through the app socket', () => {
      const out = manage(siteEnv(), 'banward_status', 'django-auth');
      assert.match(out, /Source:\tapplication reports only \(no logpath\)/);
      assert.match(out, /Banned IP list:\t127\.0\.0\.1\n/);
    });

    it('banward_unban is refused on the app socket, with a pointer to the admin socket', () => {
      const r = runManage(siteEnv(), 'banward_unban', '127.0.0.1', '--socket', h.appSocket);
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, /BANWARD_ERR_NOT_PERMITTED: .*app\.sock is the daemon's app socket, which refuses 'unban'; use the admin socket/);
      assert.deepEqual(bannedIps(h, 'django-auth'), ['127.0.0.1']);
    });

    it('banward_unban on the admin socket restores access once the short cache has passed', async () => {
      assert.equal(manage(siteEnv(), 'banward_unban', '127.0.0.1', '--socket', h.socket).trim(), '1');
      assert.deepEqual(bannedIps(h, 'django-auth'), []);
      await waitFor('access restored', async () => (await get('/admin/login/')).status === 200, 15_000);
    });

    it('the site\'s log lines are read by the bundled django-auth filter: 5 failures, all from 127.0.0.1', () => {
      const log = join(h.dir, 'runserver.log');
      writeFileSync(log, siteOutput.join(''));
      const r = spawnSync(process.execPath, [join(REPO, 'packages', 'banward', 'bin', 'banward.js'), 'regex', '--json', log, 'django-auth'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const verdicts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { fid?: string | null; captures?: { user?: string } });
      const matched = verdicts.filter((v) => typeof v.fid === 'string');
      assert.deepEqual(matched.map((v) => [v.fid, v.captures?.user]), Array(5).fill(['127.0.0.1', ADMIN.username]));
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
