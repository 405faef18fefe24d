import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SLOW = 5 * 60_000;

/** Each entry point, with the function exports a user reaches for there. */
const ENTRY_POINTS: Record<string, string[]> = {
  '@banward/web': ['createGuard', 'resolveClientIp', 'MemoryLockoutStore', 'RedisLockoutStore', 'SocketReporter', 'BanwardWebError'],
  '@banward/web/node': ['withBanward'],
  '@banward/web/express': ['banward'],
  '@banward/web/fastify': ['banward'],
  '@banward/web/koa': ['banward'],
  '@banward/web/hono': ['banward'],
};

/** '' for the main entry point, '/node' for '@banward/web/node': its folder in either build. */
const entryFolder = (name: string) => name.slice('@banward/web'.length);

// Run from `npm test`, this process inherits npm_* variables (prefix, workspace, …) that would point the
// child npm back at the repository instead of the throwaway project.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd, env: cleanEnv, maxBuffer: 16 * 1024 * 1024, timeout: SLOW });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

/**
 * A consumer script that loads every entry point with `load` (an `import()` or a `require`) and prints what it
 * found as JSON: where each resolved, its function exports, and the refusal a fresh guard gives a client.
 */
function consumerScript(load: (name: string) => string, resolve: (name: string) => string): string {
  return `(async () => {
  const report = { entries: {}, refusal: undefined };
  for (const name of ${JSON.stringify(Object.keys(ENTRY_POINTS))}) {
    const entry = ${load('name')};
    report.entries[name] = {
      file: ${resolve('name')},
      functions: Object.keys(entry).filter((key) => typeof entry[key] === 'function'),
    };
  }
  const { createGuard } = ${load("'@banward/web'")};
  const guard = createGuard();
  report.refusal = guard.begin({ ip: '203.0.113.5', method: 'POST', route: '/login' }).refusal;
  await guard.close();
  process.stdout.write(JSON.stringify(report));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

interface ConsumerReport {
  entries: Record<string, { file: string; functions: string[] }>;
  refusal: unknown;
}

function assertReport(report: ConsumerReport, buildFolder: string): void {
  for (const [name, expected] of Object.entries(ENTRY_POINTS)) {
    const { file, functions } = report.entries[name]!;
    const folder = `/node_modules/@banward/web/dist/${buildFolder}${entryFolder(name)}/`;
    assert.ok(file.includes(folder), `${name} resolves into ${folder}: ${file}`);
    for (const fn of expected) assert.ok(functions.includes(fn), `${name} exports function ${fn}: ${functions.join(' ')}`);
  }
  assert.equal(report.refusal, null, 'a client with no failures is let through');
}

const TYPED_CONSUMER = `import { createGuard, type Guard } from '@banward/web';
import { withBanward } from '@banward/web/node';
import { banward as expressBanward } from '@banward/web/express';
import { banward as fastifyBanward } from '@banward/web/fastify';
import { banward as koaBanward } from '@banward/web/koa';
import { banward as honoBanward } from '@banward/web/hono';

const guard: Guard = createGuard({ jail: 'web-login' });
// @ts-expect-error a request start needs ip, method and route: proves the types are real, not any
guard.begin({});
export const adapters = [withBanward, expressBanward, fastifyBanward, koaBanward, honoBanward];
`;

describe('the packed @banward/web, installed into a fresh project', { timeout: 3 * SLOW }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'banward-web-pack-'));
  const project = join(dir, 'consumer');
  let packedFiles: string[];

  before(async () => {
    // --ignore-scripts: the test packs the build that is there; it must not start one of its own.
    const [packed] = JSON.parse(await run('npm', ['pack', '--workspace', '@banward/web', '--pack-destination', dir, '--json', '--ignore-scripts'], REPO_ROOT)) as
      { filename: string; files: { path: string }[] }[];
    packedFiles = packed!.files.map((f) => f.path);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"private":true}\n');
    // --prefer-offline, not --offline: `npm ci` caches the tarballs of the repository's lockfile but not the
    // registry's metadata of proxy-addr, which a lockfile-less install needs to resolve its range.
    await run('npm', ['install', join(dir, packed!.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the tarball holds the ESM and CJS builds and nothing else', () => {
    assert.ok(packedFiles.some((f) => f.startsWith('dist/src/')), 'dist/src');
    assert.ok(packedFiles.some((f) => f.startsWith('dist/cjs/')), 'dist/cjs');
    assert.ok(packedFiles.includes('dist/cjs/package.json'), 'the marker that makes dist/cjs CommonJS');
    assert.deepEqual(packedFiles.filter((f) => /\.test\./.test(f)), [], 'no test files');
    assert.deepEqual(packedFiles.filter((f) => f.split('/').some((segment) => segment === 'test' || segment === 'bench')), [], 'no test/ or bench/');
    assert.deepEqual(packedFiles.filter((f) => !/^(dist\/(src|cjs)\/|package\.json$|README\.md$|LICENSE)/.test(f)), [], 'nothing outside the builds');
  });

  it('installs proxy-addr and its own dependencies, no daemon, native module, framework or Redis client', () => {
    const lock = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const installed = Object.keys(lock.packages).map((path) => path.replace(/^.*node_modules\//, '')).sort();
    assert.deepEqual(installed, ['@banward/web', 'forwarded', 'ipaddr.js', 'proxy-addr']);
  });

  it('an ES module imports every entry point from dist/src, and createGuard works', async () => {
    writeFileSync(join(project, 'consumer.mjs'), consumerScript((name) => `await import(${name})`, (name) => `import.meta.resolve(${name})`));
    assertReport(JSON.parse(await run(process.execPath, ['consumer.mjs'], project)) as ConsumerReport, 'src');
  });

  it('a CommonJS script requires every entry point from dist/cjs, and createGuard works', async () => {
    writeFileSync(join(project, 'consumer.cjs'), consumerScript((name) => `require(${name})`, (name) => `require.resolve(${name})`));
    assertReport(JSON.parse(await run(process.execPath, ['consumer.cjs'], project)) as ConsumerReport, 'cjs');
  });

  it('TypeScript (node16) finds the types of every entry point, for import and for require', async () => {
    writeFileSync(join(project, 'consumer.mts'), TYPED_CONSUMER);
    writeFileSync(join(project, 'consumer.cts'), TYPED_CONSUMER);
    // skipLibCheck: the adapters' declarations name their framework, an optional peer this project lacks.
    const files = await run(join(REPO_ROOT, 'node_modules/.bin/tsc'), [
      '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck',
      '--typeRoots', join(REPO_ROOT, 'node_modules/@types'), '--types', 'node', '--listFiles', 'consumer.mts', 'consumer.cts',
    ], project);
    for (const name of Object.keys(ENTRY_POINTS)) {
      for (const build of ['src', 'cjs']) {
        const declaration = `/node_modules/@banward/web/dist/${build}${entryFolder(name)}/index.d.ts`;
        assert.ok(files.includes(declaration), `${name} typed from ${declaration}:\n${files}`);
      }
    }
  });
});
