import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A private redis-server on a Unix socket in a temp dir (no TCP port), for one test file. */
export async function startRedisServer(): Promise<{ path: string; stop: () => Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'banward-redis-'));
  const path = join(dir, 'redis.sock');
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', path, '--unixsocketperm', '700', '--save', '',
    '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !existsSync(path); i++) await sleep(25);
  if (!existsSync(path)) {
    child.kill('SIGKILL');
    throw new Error('redis-server did not open its socket');
  }
  return {
    path,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
