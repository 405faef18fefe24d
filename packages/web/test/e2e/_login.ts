import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

export interface LoginAttempt {
  username: string;
  password: string;
  /** The source address of the connection (a loopback address other than 127.0.0.1, or a namespace's). */
  from?: string;
  forwardedFor?: string;
  /** Send the fields as JSON instead of a form. */
  json?: boolean;
}

/** The answer's status, or the connection's failure (`ECONNREFUSED`, `timeout`, …). */
export type LoginOutcome = { status: number; body: string } | { error: string };

/** One `POST /login` on a fresh connection, given up after `timeoutMs` without an answer. */
export function postLogin(baseUrl: string, attempt: LoginAttempt, timeoutMs = 2000): Promise<LoginOutcome> {
  const { username, password } = attempt;
  const body = attempt.json ? JSON.stringify({ username, password }) : new URLSearchParams({ username, password }).toString();
  const headers: Record<string, string | number> = {
    'Content-Type': attempt.json ? 'application/json' : 'application/x-www-form-urlencoded',
    'Content-Length': Buffer.byteLength(body),
  };
  if (attempt.forwardedFor !== undefined) headers['X-Forwarded-For'] = attempt.forwardedFor;
  return new Promise((resolve) => {
    const req = request(new URL('/login', baseUrl), {
      method: 'POST', headers, agent: false, timeout: timeoutMs, ...(attempt.from ? { localAddress: attempt.from } : {}),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

export const statusOf = (outcome: LoginOutcome): number | string => ('status' in outcome ? outcome.status : outcome.error);

/** Five wrong logins from `from`, each answered 401; `forwardedFor(i)` sets the i-th one's X-Forwarded-For. */
export async function failFiveTimes(baseUrl: string, wrong: LoginAttempt, from: string, forwardedFor?: (i: number) => string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const attempt = { ...wrong, from, ...(forwardedFor ? { forwardedFor: forwardedFor(i) } : {}) };
    assert.equal(statusOf(await postLogin(baseUrl, attempt)), 401, `bad login ${i + 1} from ${from}`);
  }
}

/** `postLogin` from inside network namespace `ns` (this file run there as a script). */
export function postLoginFromNs(ns: string, baseUrl: string, attempt: LoginAttempt, timeoutMs = 1000): Promise<LoginOutcome> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url), baseUrl, JSON.stringify(attempt), String(timeoutMs)],
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as LoginOutcome)));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [baseUrl, attempt, timeoutMs] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(await postLogin(baseUrl!, JSON.parse(attempt!) as LoginAttempt, Number(timeoutMs))));
}
