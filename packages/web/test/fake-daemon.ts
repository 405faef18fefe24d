import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in daemon: answers `get JAIL banip --with-time` from `bans` and bans on the second report. `banAs`
 * is what it counts and bans a reported address as (a /64, like a jail with countprefix6 = 64).
 */
export async function fakeDaemon({ banAs = (ip: string) => ip }: { banAs?: (ip: string) => string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'banward-web-guard-'));
  const path = join(dir, 'banward.sock');
  const bans = new Map<string, number>();
  const reports = new Map<string, number>();
  const server: Server = createServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const request = JSON.parse(buffer.slice(0, nl)) as { id: number; command: string; args: string[] };
        buffer = buffer.slice(nl + 1);
        const ip = request.args[1]!;
        let result: unknown = [...bans].map(([banned, expires]) => ({ ip: banned, time: expires - 600, bantime: 600, expires }));
        if (request.command === 'report') {
          const counted = banAs(ip);
          reports.set(counted, (reports.get(counted) ?? 0) + 1);
          if (reports.get(counted)! >= 2) bans.set(counted, Date.parse('2026-11-22T10:10:00Z') / 1000);
          const expires = bans.get(counted);
          result = { accepted: true, ban: expires === undefined ? null : { ip: counted, time: expires - 600, bantime: 600, expires } };
        }
        socket.write(`${JSON.stringify({ id: request.id, ok: true, result })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path, bans,
    close: () => new Promise<void>((resolve) => server.close(() => { rmSync(dir, { recursive: true, force: true }); resolve(); })),
  };
}
