import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { client, clientJson, makeDaemonDirs, startDaemon, stopDaemon } from './_daemon.js';
import { inNs, makeNetPair } from './_netns.js';

/**
 * Tool checks are cached for the daemon's life, so a reload must ask again: the daemon runs in a
 * namespace with a PATH that has `ip` but no `nft` until the test links it in ("installs" it).
 */
it('an admin who installs nft and reloads gets the jail enforced: reload asks the tools again', async () => {
  const net = makeNetPair();
  const bin = mkdtempSync(join(tmpdir(), 'banward-path-'));
  symlinkSync('/usr/sbin/ip', join(bin, 'ip'));
  const path = process.env.PATH;
  process.env.PATH = `${bin}:/usr/bin:/bin`;
  const h = makeDaemonDirs('[test]\nenabled = true\nfilter = test\nlogpath = $DIR/app.log\naction = nftables[port=8080, protocol=tcp]\n');
  writeFileSync(h.log, '');
  const notEnforced = () => clientJson<{ actions: { notEnforced?: string } }>(h, 'status', 'test').actions.notEnforced;
  try {
    await startDaemon(h, [], net.server);
    assert.equal(notEnforced(), 'nft cannot run: not installed');
    symlinkSync('/usr/sbin/nft', join(bin, 'nft'));
    const reload = client(h, 'reload');
    assert.equal(reload.code, 0, reload.stderr);
    assert.equal(notEnforced(), undefined, 'the jail was rebuilt with its nftables action');
    assert.match(inNs(net.server, 'nft', 'list', 'tables'), /inet banward/);
  } finally {
    await stopDaemon(h);
    process.env.PATH = path;
    net.destroy();
    rmSync(bin, { recursive: true, force: true });
  }
});
