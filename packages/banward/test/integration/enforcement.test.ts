import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { ActionDriver, connects, inNs, listen, makeNetPair, ticket, type NetPair } from './_netns.js';

/**
 * Real packets: a listener in a `server` namespace, the action enforcing there, a `client` namespace
 * connecting over a veth pair. Needs root, iproute2, nftables, and for ipset: ipset + iptables.
 * route needs iproute2 only.
 */
interface Kind {
  name: string;
  /** What an admin might do that silently drops every ban. */
  wipe: string[][];
  /** True when nothing of the jail is left in the firewall. */
  gone(ns: string): boolean;
}

const KINDS: Kind[] = [
  {
    name: 'nftables',
    wipe: [['nft', 'flush', 'ruleset']],
    gone: (ns) => !inNs(ns, 'nft', 'list', 'tables').includes('banward'),
  },
  {
    name: 'ipset',
    wipe: [['iptables', '-w', '-F', 'INPUT'], ['ip6tables', '-w', '-F', 'INPUT'], ['ipset', 'flush']],
    gone: (ns) => inNs(ns, 'ipset', 'list', '-n').trim() === '' && !inNs(ns, 'iptables-save').includes('bw-test'),
  },
  {
    // Ignores port and protocol: a route stops every reply to the banned address.
    name: 'route',
    wipe: [['ip', '-4', 'route', 'flush', 'proto', '66'], ['ip', '-6', 'route', 'flush', 'proto', '66']],
    gone: (ns) => inNs(ns, 'ip', '-4', 'route', 'show', 'proto', '66').trim() === '' && inNs(ns, 'ip', '-6', 'route', 'show', 'proto', '66').trim() === '',
  },
];

async function withNet(kind: Kind, body: (net: NetPair, action: ActionDriver) => Promise<void>, run?: ConstructorParameters<typeof ActionDriver>[3]): Promise<void> {
  const net = makeNetPair();
  let listener: ChildProcess | null = null;
  let action: ActionDriver | null = null;
  try {
    listener = listen(net.server);
    await once(listener.stdout!, 'data');
    action = new ActionDriver(net.server, kind.name, { port: '8080', protocol: 'tcp' }, run);
    await action.send('start');
    await body(net, action);
  } finally {
    action?.close();
    listener?.kill();
    net.destroy();
  }
}

const CLIENT_V4 = '10.77.0.2';
const CLIENT_V6 = 'fd77::2';

async function reach(net: NetPair): Promise<[boolean, boolean]> {
  return [await connects(net.client, '10.77.0.1'), await connects(net.client, 'fd77::1')];
}

for (const kind of KINDS) {
  describe(`enforcement: ${kind.name}`, () => {
    it('bans and unbans real connections over IPv4 and IPv6', () => withNet(kind, async (net, action) => {
      assert.deepEqual(await reach(net), [true, true], 'the client connects before any ban');
      assert.equal((await action.send('check')).result, true);
      const banned = [ticket(CLIENT_V4), ticket(CLIENT_V6)];
      const ban = await action.send('ban', banned);
      assert.equal(ban.calls.length, 1, `one batch for the bans: ${ban.calls.join('; ')}`);
      assert.deepEqual(await reach(net), [false, false], 'the banned client cannot connect');
      await action.send('unban', banned);
      assert.deepEqual(await reach(net), [true, true], 'after the unban it connects again');
    }));

    it('reconcile repairs a wiped firewall and removes stale bans', () => withNet(kind, async (net, action) => {
      const banned = [ticket(CLIENT_V4), ticket(CLIENT_V6)];
      await action.send('ban', banned);
      for (const command of kind.wipe) inNs(net.server, command[0]!, ...command.slice(1));
      assert.deepEqual(await reach(net), [true, true], 'the wipe lifted the bans');
      assert.deepEqual((await action.send('reconcile', banned)).result, { added: 2, removed: 0 });
      assert.deepEqual(await reach(net), [false, false], 'reconcile put them back');
      assert.deepEqual((await action.send('reconcile', [])).result, { added: 0, removed: 2 });
      assert.deepEqual(await reach(net), [true, true], 'stale bans are removed');
    }));

    it('restores 20,000 bans in one batch, and stop leaves nothing behind', () => withNet(kind, async (net, action) => {
      const many = Array.from({ length: 20_000 }, (_, i) => ticket(`fd77::1:${i.toString(16)}`, i % 2 ? -1 : 3600));
      many.push(ticket(CLIENT_V4), ticket(CLIENT_V6));
      const restore = await action.send('ban', many);
      assert.equal(restore.calls.length, 1, `one call for the restore: ${restore.calls.join('; ')}`);
      assert.deepEqual(await reach(net), [false, false]);
      assert.deepEqual((await action.send('reconcile', many)).result, { added: 0, removed: 0 }, 'the firewall holds exactly the bans');
      await action.send('stop');
      assert.ok(kind.gone(net.server), 'stop removes the sets and rules');
      assert.deepEqual(await reach(net), [true, true]);
    }));
  });
}

/** Whether the process is over within a generous deadline (a zombie waiting for init counts as over). */
async function over(pid: number): Promise<boolean> {
  const state = (): string => {
    try {
      return /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 'Z';
    } catch {
      return 'Z';
    }
  };
  for (let i = 0; i < 1000 && state() !== 'Z'; i++) await sleep(10);
  return state() === 'Z';
}

describe('enforcement: a hung firewall tool', () => {
  it('a hung nft stalls its jail (regression): the ban fails after the tool timeout, nft and its child are killed, the next ban goes in', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'banward-hung-nft-'));
    const hang = join(bin, 'hang');
    const pids = join(bin, 'pids');
    const nft = execFileSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).trim();
    // The real nft, except while the flag file exists: then it never answers (nor does the child it starts).
    writeFileSync(join(bin, 'nft'), `#!/bin/sh\nif [ -e ${hang} ]; then sleep 1000 & echo $! >> ${pids}; echo $$ >> ${pids}; wait; fi\nexec ${nft} "$@"\n`);
    chmodSync(join(bin, 'nft'), 0o755);
    try {
      await withNet(KINDS[0]!, async (net, action) => {
        writeFileSync(hang, '');
        await assert.rejects(action.send('ban', [ticket(CLIENT_V4)]), /nft .*failed \(timed out after 2 s\)/);
        const hung = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
        assert.equal(hung.length, 2, 'one nft call hung (a timed-out call is not retried): the shell and its child');
        for (const pid of hung) assert.equal(await over(pid), true, `process ${pid} of a hung nft is killed`);
        assert.deepEqual(await reach(net), [true, true], 'the ban did not go in while nft hung');
        rmSync(hang);
        await action.send('ban', [ticket(CLIENT_V6)]);
        assert.deepEqual(await reach(net), [false, false], 'the next ban goes in, and the one that failed with it');
      }, { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, toolTimeoutMs: 2000 });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
