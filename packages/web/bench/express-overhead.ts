import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { clientJson, makeDaemonDirs, startDaemon, stopDaemon, webLoginJail, type DaemonHarness } from '../test/e2e/_banward.js';
import { webShareOfProfile } from './_cpu-profile.js';
import { BENCH_USER, VARIANTS, type Variant } from './_express-variant.js';

/**
 * `npm run bench` (after banward's): requests per second of examples/express-login alone, with @banward/web,
 * and with express-rate-limit, on an allowed request and on failed logins; writes its section of
 * docs/benchmarks.md between the web-bench markers.
 */
const SECONDS = Number(process.env['BENCH_WEB_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_WEB_ROUNDS'] ?? 5);
const CONNECTIONS = 10;
const DOC = fileURLToPath(new URL('../../../../docs/benchmarks.md', import.meta.url));
const START = '<!-- web-bench:start -->';
const END = '<!-- web-bench:end -->';

interface Case {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  status: number;
}

const CASES: Case[] = [
  { label: 'allowed: `GET /login` (the form)', method: 'GET', path: '/login', status: 200 },
  {
    label: 'failed login: `POST /login`, wrong password', method: 'POST', path: '/login', status: 401,
    body: new URLSearchParams({ username: BENCH_USER.username, password: 'guess' }).toString(),
  },
];

interface Sample { rps: number; latencyMs: number; requests: number }

/**
 * The app servers get the last core to themselves; this process (autocannon) and the daemon it starts share
 * the others, so the scheduler does not move them onto each other. Null when there is one core or no taskset.
 */
function pinCores(): { serverCpu: string } | null {
  const last = cpus().length - 1;
  if (last < 1) return null;
  try {
    execFileSync('taskset', ['-pc', `0-${last - 1}`, String(process.pid)], { stdio: 'ignore' });
    return { serverCpu: String(last) };
  } catch {
    return null;
  }
}

async function startVariant(variant: Variant, socket: string, pinned: { serverCpu: string } | null, nodeArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./_express-variant.js', import.meta.url));
  const command = [process.execPath, ...nodeArgs, script, variant, socket];
  const child = pinned
    ? spawn('taskset', ['-c', pinned.serverCpu, ...command], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the ${variant} server exited (${String(code)})`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

interface CodeCost { case: Case; perRequestUs: number; shareOfBusy: number }

/**
 * The steadier figure beside req/s: a CPU profile of the @banward/web variant under load, and the time its
 * own code (not the rest of the app) took per request answered.
 */
async function profileWebCode(c: Case, socket: string, pinned: { serverCpu: string } | null): Promise<CodeCost> {
  const dir = mkdtempSync(join(tmpdir(), 'banward-web-prof-'));
  try {
    const { url, child } = await startVariant('@banward/web', socket, pinned, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The profile covers the whole process, warm-up (JIT) included: every request it answered counts.
    let requests = 0;
    for (const seconds of [2, SECONDS]) requests += (await load(url, c, seconds)).requests;
    child.kill('SIGINT');
    await exited;
    const { busyUs, oursUs } = webShareOfProfile(dir);
    return { case: c, perRequestUs: oursUs / requests, shareOfBusy: oursUs / busyUs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(url: string, c: Case, seconds: number): Promise<Sample> {
  const result = await autocannon({
    url: `${url}${c.path}`, method: c.method, connections: CONNECTIONS, duration: seconds,
    ...(c.body ? { body: c.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  const answered = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const wrong = Object.entries(answered).filter(([status]) => Number(status) !== c.status);
  if (result.errors > 0 || wrong.length > 0) {
    throw new Error(`${c.method} ${c.path} expected ${c.status} only, got ${JSON.stringify(answered)} and ${result.errors} errors`);
  }
  return { rps: result.requests.average, latencyMs: result.latency.average, requests: result.requests.total };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function verdict(allowed: CodeCost, ratio: number): string {
  const share = allowed.shareOfBusy * 100;
  return `By req/s @banward/web runs at ${ratio.toFixed(2)}× express alone (an empty middleware and the rounds' noise
included); by the profile its own code takes ${share.toFixed(1)}% of the server's CPU time: ${share <= 5 ? 'met' : 'not met'}.`;
}

function section(rows: string[], costs: CodeCost[], allowedRatio: number, reports: { sent: number; received: number }, pinned: boolean, noise: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${START}
## @banward/web: the Express example with and without the middleware

Generated by \`npm run bench\` (\`packages/web/bench/express-overhead.ts\`) on ${new Date().toISOString().slice(0, 10)} (${cpu}, ${cpus().length} cores,
Node ${process.version}). \`examples/express-login\` (\`createApp\`: Express 5, express-session, body parsers) runs
in a process of its own five ways: alone; with an empty middleware (\`(req, res, next) => next()\`, what one
more layer costs in Express whatever it does); with \`banward({ jail: 'web-login' })\` following a real \`banward
server\` (the report-only web-login jail) and reporting each failure to it; with banward and no daemon (lockout
in memory only); and with express-rate-limit in its usual login setup (\`skipSuccessfulRequests\`, draft-8
headers, memory store). The middlewares' limits are set out of reach, so that every request is answered by the
app, never refused. autocannon (${CONNECTIONS} connections, no pipelining) drives each for ${SECONDS} s, ${ROUNDS} rounds taken in turn; the
table has the medians. ${pinned ? 'The app servers run on a core of their own (taskset); autocannon and the daemon share the rest.' : 'The servers, autocannon and the daemon share all cores (no taskset).'}
Between rounds, express alone varied by ${noise}: differences smaller than that are noise. "Added per request" is 1/(req/s) with the middleware minus 1/(req/s) without: the
server is one Node thread running flat out, so this is the time the middleware costs each request. The load
generator and the daemon share cores, so the daemon's work on the reports is in the failed-login row of the
daemon variant too.

| request | variant | req/s | vs express alone | added per request | mean latency |
|---|---|---:|---:|---:|---:|
${rows.join('\n')}

An empty middleware is the floor: what Express charges for one more layer, whatever the layer does. The
middleware's own work is steadier read from a CPU profile of the @banward/web variant under the same load
(self time of @banward/web's code and proxy-addr, which it calls; the rest of the app is not counted):

| request | @banward/web's code per request | share of the server's busy CPU time |
|---|---:|---:|
${costs.map((k) => `| ${k.case.label} | ${k.perRequestUs.toFixed(1)} µs | ${(k.shareOfBusy * 100).toFixed(1)}% |`).join('\n')}

On the allowed request the middleware resolves the client address, reads the lockout from memory and the
daemon's bans from the app's copy (refreshed in the background every \`syncSeconds\`): no I/O. A failed login
also counts in memory and queues a report; reports go to the daemon in batches, off the request. The daemon
counted ${reports.received.toLocaleString('en')} failures for the ${reports.sent.toLocaleString('en')} failed-login answers autocannon counted (it does not count the
requests still in flight when a run stops, which are answered and reported too; the reporter's queue is
bounded and would drop the oldest if the daemon fell behind). On the failed login the profile also holds the
reporter's work (JSON and socket writes to the daemon), which runs on the app's thread, off the request.

Target (issue 5): at most 5% overhead on an allowed request. ${verdict(costs[0]!, allowedRatio)}
${END}
`;
}

function writeSection(text: string): void {
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const at = doc.indexOf(START);
  const end = doc.indexOf(END);
  const next = at >= 0 && end > at
    ? doc.slice(0, at) + text + doc.slice(doc.indexOf('\n', end) + 1)
    : `${doc.trimEnd()}\n\n${text}`;
  writeFileSync(DOC, next);
}

/** The daemon's failure count once the reporter's last batches have arrived (it stops changing). */
async function settledFailureCount(h: DaemonHarness): Promise<number> {
  const count = () => clientJson<{ filter: { totalFailed: number } }>(h, 'status', 'web-login').filter.totalFailed;
  for (let last = -1, now = count(); ; last = now, now = count()) {
    if (now === last) return now;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<void> {
  const h = makeDaemonDirs(webLoginJail('log[path=$DIR/actions.log]', 1_000_000_000));
  const servers = new Map<Variant, { url: string; child: ChildProcess }>();
  const pinned = pinCores();
  try {
    await startDaemon(h);
    for (const v of VARIANTS) servers.set(v, await startVariant(v, h.appSocket, pinned));
    const rows: string[] = [];
    const spreads: string[] = [];
    let allowedRatio = 0;
    let sent = 0;
    const run = async (v: Variant, c: Case, seconds: number) => {
      const s = await load(servers.get(v)!.url, c, seconds);
      if (v === '@banward/web' && c.status === 401) sent += s.requests;
      return s;
    };
    for (const c of CASES) {
      for (const v of VARIANTS) await run(v, c, 2);
      const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of VARIANTS) {
          const s = await run(v, c, SECONDS);
          samples.get(v)!.push(s);
          process.stdout.write(`${c.method} ${c.path} ${v}: ${Math.round(s.rps)} req/s\n`);
        }
      }
      const baseSamples = samples.get('express alone')!.map((s) => s.rps);
      const base = median(baseSamples);
      spreads.push(`${(((Math.max(...baseSamples) - Math.min(...baseSamples)) / base) * 100).toFixed(0)}% (${c.label.split(':')[0]})`);
      for (const v of VARIANTS) {
        const rps = median(samples.get(v)!.map((s) => s.rps));
        const latency = median(samples.get(v)!.map((s) => s.latencyMs));
        const baseline = v === 'express alone';
        const added = baseline ? '—' : `${((1e6 / rps) - (1e6 / base)).toFixed(1)} µs`;
        if (v === '@banward/web' && c === CASES[0]) allowedRatio = rps / base;
        rows.push(`| ${c.label} | ${v} | ${Math.round(rps).toLocaleString('en')} | ${baseline ? '1.00' : (rps / base).toFixed(2)}× | ${added} | ${latency.toFixed(2)} ms |`);
      }
    }
    const received = await settledFailureCount(h);
    const costs: CodeCost[] = [];
    for (const c of CASES) costs.push(await profileWebCode(c, h.appSocket, pinned));
    writeSection(section(rows, costs, allowedRatio, { sent, received }, pinned !== null, spreads.join(', ')));
    process.stdout.write(`${rows.join('\n')}\nwrote the web section of docs/benchmarks.md\n`);
  } finally {
    for (const { child } of servers.values()) child.kill();
    await stopDaemon(h);
    rmSync(h.dir, { recursive: true, force: true });
  }
}

await main();
