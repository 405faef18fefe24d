import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { ActionDriver, connects, inNs, listen, makeRoutedTrio, ticket, type RoutedTrio } from './_netns.js';

/**
 * The Docker case (fail2ban #2292, #2511): the service is reached through the host's forward path, so an
 * input-hook ban does not stop it. banward runs in the router namespace; the listener is one hop behind.
 */
const CLIENT = ['10.78.1.2', 'fd78:1::2'];
const BANNED = CLIENT.map((ip) => ticket(ip));

async function reach(net: RoutedTrio): Promise<[boolean, boolean]> {
  return [await connects(net.client, '10.78.2.2'), await connects(net.client, 'fd78:2::2')];
}

async function withTrio(body: (net: RoutedTrio) => Promise<void>, setup?: (net: RoutedTrio) => void): Promise<void> {
  const net = makeRoutedTrio();
  let listener: ChildProcess | null = null;
  try {
    setup?.(net);
    listener = listen(net.server);
    await once(listener.stdout!, 'data');
    // The first routed IPv6 packets can be lost while the router learns its neighbours: wait for the path.
    let before = await reach(net);
    for (let i = 0; i < 10 && !(before[0] && before[1]); i++) before = await reach(net);
    assert.deepEqual(before, [true, true], 'the client reaches the server through the router before any ban');
    await body(net);
  } finally {
    listener?.kill();
    net.destroy();
  }
}

async function withAction<T>(net: RoutedTrio, kind: string, chain: string, body: (action: ActionDriver) => Promise<T>): Promise<T> {
  const action = new ActionDriver(net.router, kind, { port: '8080', protocol: 'tcp', chain });
  try {
    await action.send('start');
    return await body(action);
  } finally {
    await action.send('stop').catch(() => undefined);
    action.close();
  }
}

for (const kind of ['nftables', 'ipset']) {
  describe(`forward path: ${kind}`, () => {
    it('an input-only ban does not stop a forwarded connection; chain = forward does, and the unban restores it', () => withTrio(async (net) => {
      await withAction(net, kind, 'input', async (action) => {
        await action.send('ban', BANNED);
        assert.deepEqual(await reach(net), [true, true], 'the input hook never sees forwarded packets');
      });
      await withAction(net, kind, 'forward', async (action) => {
        const ban = await action.send('ban', BANNED);
        assert.equal(ban.calls.length, 1, `one batch: ${ban.calls.join('; ')}`);
        assert.deepEqual(await reach(net), [false, false], 'the forward-hook ban stops the forwarded connection');
        await action.send('unban', BANNED);
        assert.deepEqual(await reach(net), [true, true], 'after the unban it connects again');
      });
    }));

    it('chain = both bans on the input and the forward path', () => withTrio(async (net) => {
      const own = listen(net.router);
      try {
        await once(own.stdout!, 'data');
        await withAction(net, kind, 'both', async (action) => {
          assert.equal((await action.send('check')).result, true);
          await action.send('ban', BANNED);
          assert.deepEqual(await reach(net), [false, false], 'forwarded connections are stopped');
          assert.equal(await connects(net.client, '10.78.1.1'), false, "and so are connections to the router's own port");
          assert.deepEqual((await action.send('reconcile', BANNED)).result, { added: 0, removed: 0 });
        });
      } finally {
        own.kill();
      }
    }));
  });
}

describe('forward path: ipset with Docker', () => {
  it("chain = forward puts the rules in Docker's DOCKER-USER chain, ahead of the rules Docker accepts by", () => withTrio(async (net) => {
    await withAction(net, 'ipset', 'forward', async (action) => {
      await action.send('ban', BANNED);
      assert.match(inNs(net.router, 'iptables', '-w', '-S', 'DOCKER-USER'), /--match-set bw-test-4 src -j DROP/);
      assert.doesNotMatch(inNs(net.router, 'iptables', '-w', '-S', 'FORWARD'), /bw-test/, 'nothing in FORWARD itself');
      assert.deepEqual(await reach(net), [false, false], 'the ban holds although FORWARD accepts everything after the jump');
      await action.send('unban', BANNED);
      assert.deepEqual(await reach(net), [true, true]);
    });
    assert.doesNotMatch(inNs(net.router, 'iptables-save'), /bw-test/, 'stop leaves nothing behind');
  }, (net) => {
    // What Docker sets up: FORWARD jumps to DOCKER-USER first, then accepts what it forwards.
    for (const tool of ['iptables', 'ip6tables']) {
      inNs(net.router, tool, '-w', '-N', 'DOCKER-USER');
      inNs(net.router, tool, '-w', '-A', 'FORWARD', '-j', 'DOCKER-USER');
      inNs(net.router, tool, '-w', '-A', 'FORWARD', '-j', 'ACCEPT');
    }
  }));
});
