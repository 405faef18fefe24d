import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { readFileSync } from 'node:fs';
import { ActionDriver, inNs, ip, makeNetPair, ticket, type DriverReply } from './_netns.js';

/**
 * Issue 13, idle cost: the nftables action learns of deletions from `nft -j monitor destroy` and, while
 * the monitor vouches for the sets, checks them without running nft at all. What others delete is seen
 * at once; what banward deletes itself is not mistaken for it.
 */
const nftRuns = (r: DriverReply) => r.calls.filter((c) => c.startsWith('nft ')).length;

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

/** The pids of the `nft -j monitor` processes in the namespace. */
function monitors(ns: string): number[] {
  return ip('netns', 'pids', ns).split('\n').filter(Boolean).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes('nft -j monitor');
    } catch {
      return false; // gone meanwhile
    }
  });
}

it('issue 13: nftables is checked without running nft while its monitor runs; outside deletions are seen, its own are not', async () => {
  const net = makeNetPair();
  const action = new ActionDriver(net.server, 'nftables', { port: '8080', protocol: 'tcp' });
  try {
    await action.send('start');
    const held = Array.from({ length: 300 }, (_, i) => ticket(`10.9.${i >> 8}.${i & 255}`));
    await action.send('ban', [...held, ticket('10.9.9.9')]);
    assert.equal(monitors(net.server).length, 1, 'one monitor runs');
    // The first read began before the monitor was subscribed: it takes one more comparison to trust it.
    await until('the monitor to settle', async () => {
      await action.send('reconcile', [...held, ticket('10.9.9.9')]);
      return (await action.send('watching')).result === true;
    });
    // The setup at start rewrote the rules (deletions the monitor reported): one listing tells they were ours.
    await action.send('check');
    const quiet = await action.send('check');
    assert.deepEqual([quiet.result, nftRuns(quiet)], [true, 0], 'a watched check runs no nft');

    await action.send('unban', [ticket('10.9.9.9')]);
    await action.send('unban', held.slice(0, 280)); // past the refill size: the sets are flushed and refilled
    await sleep(300);
    const own = await action.send('check');
    assert.deepEqual([own.result, nftRuns(own)], [true, 0], 'its own deletions are not drift');

    inNs(net.server, 'nft', 'delete', 'element', 'inet', 'banward', 'test-v4', `{ ${held[290]!.ip} }`);
    await until('the outside deletion seen', async () => (await action.send('check')).result === false);
    const repaired = await action.send('reconcile', held.slice(280));
    assert.deepEqual(repaired.result, { added: 1, removed: 0 });
    assert.match(inNs(net.server, 'nft', 'list', 'set', 'inet', 'banward', 'test-v4'), new RegExp(held[290]!.ip.replaceAll('.', '\\.')));

    await until('watched again', async () => (await action.send('watching')).result === true);
    inNs(net.server, 'nft', 'flush', 'chain', 'inet', 'banward', 'test-in');
    await until('the flushed chain seen', async () => (await action.send('check')).result === false);
    await action.send('reconcile', held.slice(280));

    for (const pid of monitors(net.server)) process.kill(pid, 'SIGKILL');
    await until('the monitor gone', async () => monitors(net.server).length === 0 || (await action.send('watching')).result === false);
    const unwatched = await action.send('check');
    assert.equal(unwatched.result, true);
    assert.equal(nftRuns(unwatched), 1, 'without its monitor the check lists the table again');
    await until('the monitor started again', async () => monitors(net.server).length === 1);

    await action.kill('SIGKILL');
    await until('no monitor left after a kill -9', async () => monitors(net.server).length === 0);
  } finally {
    action.close();
    net.destroy();
  }
});
