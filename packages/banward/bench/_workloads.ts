/** Deterministic log generators for the benchmarks: the same seed gives the same 200k lines every run. */

export interface Workload {
  name: string;
  /** What `banward regex` and `fail2ban-regex` are given as FILTER. */
  filter: (bundledConfig: string) => { banward: string[]; fail2ban: string };
  lines: (count: number) => string[];
  /** sshguard's parser understands this log too. */
  sshguard?: boolean;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const ip = (r: () => number): string =>
  `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 253)}`;
const pad = (n: number): string => String(n).padStart(2, '0');
const USERS = ['root', 'admin', 'test', 'oracle', 'ubuntu', 'git', 'postgres', 'user', 'pi', 'guest'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Log times run over one day, 2026-11-21, so every tool completes year-less dates the same way. */
const DAY = Date.UTC(2026, 10, 21) / 1000;

function clock(i: number, count: number): Date {
  return new Date((DAY + Math.floor((i * 86_000) / count)) * 1000);
}

export const WORKLOADS: Workload[] = [
  {
    name: 'sshd auth.log',
    sshguard: true,
    filter: () => ({ banward: ['--config', '/etc/fail2ban', 'sshd'], fail2ban: 'sshd' }),
    lines: (count) => {
      const r = rng(1);
      return Array.from({ length: count }, (_, i) => {
        const t = clock(i, count);
        const stamp = `${MONTHS[t.getUTCMonth()]} ${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
        const port = 1024 + Math.floor(r() * 60000);
        const x = r();
        const msg = x < 0.35 ? `Failed password for ${pick(r, USERS)} from ${ip(r)} port ${port} ssh2`
          : x < 0.55 ? `Invalid user ${pick(r, USERS)}x from ${ip(r)} port ${port}`
          : x < 0.7 ? `Connection closed by ${ip(r)} port ${port} [preauth]`
          : x < 0.8 ? `Accepted publickey for deploy from ${ip(r)} port ${port} ssh2: ED25519 SHA256:Qm9vYmFy`
          : x < 0.9 ? 'pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)'
          : `Received disconnect from ${ip(r)} port ${port}:11: Bye Bye [preauth]`;
        return `${stamp} web1 sshd[${1000 + Math.floor(r() * 30000)}]: ${msg}`;
      });
    },
  },
  {
    name: 'nginx access log (nginx-login)',
    filter: (config) => ({ banward: [`${config}/filter.d/nginx-login.conf`], fail2ban: `${config}/filter.d/nginx-login.conf` }),
    lines: (count) => {
      const r = rng(2);
      const paths = ['/', '/static/app.js', '/static/site.css', '/api/items?page=2', '/favicon.ico', '/about'];
      return Array.from({ length: count }, (_, i) => {
        const t = clock(i, count);
        const stamp = `${pad(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
        const x = r();
        const [method, path, status] = x < 0.1 ? ['POST', '/auth/login/', '401'] : x < 0.15 ? ['POST', '/auth/login/', '302'] : ['GET', pick(r, paths), '200'];
        return `${ip(r)} - - [${stamp}] "${method} ${path} HTTP/1.1" ${status} ${100 + Math.floor(r() * 5000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"`;
      });
    },
  },
  {
    name: 'Django auth log (django-auth)',
    filter: (config) => ({ banward: [`${config}/filter.d/django-auth.conf`], fail2ban: `${config}/filter.d/django-auth.conf` }),
    lines: (count) => {
      const r = rng(3);
      return Array.from({ length: count }, (_, i) => {
        const t = clock(i, count);
        const epoch = (t.getTime() / 1000 + 0.123456).toFixed(6);
        const iso = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())},${String(i % 1000).padStart(3, '0')}`;
        const x = r();
        if (x < 0.3) return `${epoch}|ERROR|Login Fail '${pick(r, USERS)}' by ${ip(r)}`;
        if (x < 0.6) return `${iso} ERROR Login failure ${ip(r)}`;
        if (x < 0.8) return `${iso} WARNING banward: login failed ip=${ip(r)} user="${pick(r, USERS)}" path="/admin/login/"`;
        return `${iso} INFO django.server "GET /static/admin/css/base.css HTTP/1.1" 200 ${Math.floor(r() * 9000)}`;
      });
    },
  },
];
