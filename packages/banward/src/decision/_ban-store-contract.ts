import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import type { BanRecord, BanStore } from './ban-store.js';

/** A ban with defaults; times carry fractions because the system clock does. */
export function ban(overrides: Partial<BanRecord> = {}): BanRecord {
  return {
    jail: 'sshd',
    ip: '192.0.2.1',
    time: 1_700_000_000.25,
    bantime: 600,
    banCount: 1,
    matches: ['Failed password for root from 192.0.2.1 port 22 ssh2'],
    ...overrides,
  };
}

/** The behaviour every BanStore shares; each implementation's test file runs it. */
export function runBanStoreContract(name: string, makeStore: () => BanStore): void {
  describe(`${name}: BanStore contract`, () => {
    const withStore = (body: (store: BanStore) => void) => () => {
      const store = makeStore();
      try {
        body(store);
      } finally {
        store.close();
      }
    };

    test('a ban reads back as added, and removing it ends it once', withStore((store) => {
      const added = ban();
      store.addBan(added);
      assert.deepEqual(store.getBan('sshd', '192.0.2.1'), added);
      assert.equal(store.getBan('other-jail', '192.0.2.1'), undefined);
      assert.equal(store.removeBan('sshd', '192.0.2.1'), true);
      assert.equal(store.getBan('sshd', '192.0.2.1'), undefined);
      assert.equal(store.removeBan('sshd', '192.0.2.1'), false);
      assert.equal(store.removeBan('sshd', '198.51.100.9'), false);
    }));

    test('removeBans ends many bans of one jail at once and says which were active', withStore((store) => {
      store.addBans([ban({ ip: '192.0.2.1' }), ban({ ip: '192.0.2.2' }), ban({ jail: 'nginx', ip: '192.0.2.3' })]);
      assert.deepEqual(store.removeBans('sshd', ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.9']), ['192.0.2.1', '192.0.2.2']);
      assert.deepEqual(store.activeBans().map((b) => b.ip), ['192.0.2.3']);
      assert.equal(store.banCounts(['192.0.2.1'], 'sshd').get('192.0.2.1'), 1, 'their history stays');
    }));

    test('issue 15: a fleet ban keeps its origin node; a local ban has none', withStore((store) => {
      store.addBans([ban({ ip: '192.0.2.8', origin: 'web-2' }), ban({ ip: '192.0.2.9' })]);
      assert.equal(store.getBan('sshd', '192.0.2.8')?.origin, 'web-2');
      assert.equal('origin' in store.getBan('sshd', '192.0.2.9')!, false);
      assert.deepEqual(store.activeBans().map((b) => b.origin), ['web-2', undefined]);
      assert.throws(() => store.addBan(ban({ ip: '192.0.2.10', origin: '' })), /ban.origin must be a non-empty string/);
    }));

    test('addHistory records past bans for the ban count, once each, without making them active', withStore((store) => {
      const past = [ban({ ip: '192.0.2.1', time: 100 }), ban({ ip: '192.0.2.1', time: 200 })];
      assert.equal(store.addHistory(past), 2);
      assert.equal(store.addHistory(past), 0, 'the same bans again are not counted twice');
      assert.equal(store.getBan('sshd', '192.0.2.1'), undefined);
      assert.deepEqual(store.banCounts(['192.0.2.1'], 'sshd'), new Map([['192.0.2.1', 2]]));
      store.addBan(ban({ ip: '192.0.2.1', time: 300 }));
      assert.equal(store.banCounts(['192.0.2.1'], 'sshd').get('192.0.2.1'), 3);
    }));

    test('records handed in and out are copies', withStore((store) => {
      const added = ban({ matches: ['line one'] });
      store.addBan(added);
      added.matches.push('mutated after add');
      const read = store.getBan('sshd', added.ip);
      assert.ok(read);
      read.matches.push('mutated after get');
      read.bantime = 1;
      assert.deepEqual(store.getBan('sshd', added.ip), { ...added, matches: ['line one'] });
    }));

    test('activeBans lists one jail or all, oldest first, without ended bans', withStore((store) => {
      const a = ban({ ip: '192.0.2.1', time: 300 });
      const b = ban({ ip: '192.0.2.2', time: 100 });
      const c = ban({ jail: 'nginx', ip: '192.0.2.3', time: 200 });
      const ended = ban({ ip: '192.0.2.4', time: 50 });
      store.addBans([a, b, c, ended]);
      store.removeBan('sshd', '192.0.2.4');
      assert.deepEqual(store.activeBans('sshd'), [b, a]);
      assert.deepEqual(store.activeBans('nginx'), [c]);
      assert.deepEqual(store.activeBans(), [b, c, a]);
      assert.deepEqual(store.activeBans('no-such-jail'), []);
    }));

    test('banning an ip that is still banned replaces that ban, one history row', withStore((store) => {
      store.addBan(ban({ time: 100, bantime: 600 }));
      const replacement = ban({ time: 150, bantime: 1200, banCount: 2, matches: [] });
      store.addBan(replacement);
      assert.deepEqual(store.activeBans(), [replacement]);
      assert.deepEqual(store.banCounts(['192.0.2.1'], 'sshd'), new Map([['192.0.2.1', 1]]));
    }));

    test('expiredBans uses the given now, inclusive, soonest first; -1 never expires', withStore((store) => {
      const long = ban({ ip: '192.0.2.1', time: 1000, bantime: 600 });
      const short = ban({ ip: '192.0.2.2', time: 1100, bantime: 100 });
      const forever = ban({ ip: '192.0.2.3', time: 0, bantime: -1 });
      const ended = ban({ ip: '192.0.2.4', time: 0, bantime: 10 });
      store.addBans([long, short, forever, ended]);
      store.removeBan('sshd', ended.ip);
      assert.deepEqual(store.expiredBans(1199), []);
      assert.deepEqual(store.expiredBans(1200), [short]);
      assert.deepEqual(store.expiredBans(1e12), [short, long]);
    }));

    test('banCounts counts the bans of many ips at once, per jail and across jails', withStore((store) => {
      const ip = '203.0.113.5';
      store.addBan(ban({ ip, time: 100, bantime: 600 }));
      store.removeBan('sshd', ip);
      store.addBan(ban({ ip, time: 900, bantime: 1200, banCount: 2 }));
      store.addBan(ban({ ip, jail: 'nginx', time: 500, bantime: 60 }));
      store.addBan(ban({ ip: '203.0.113.6', time: 2000 }));
      const asked = [ip, '203.0.113.6', '198.51.100.1', ip];
      assert.deepEqual(store.banCounts(asked, 'sshd'), new Map([[ip, 2], ['203.0.113.6', 1]]));
      assert.deepEqual(store.banCounts(asked, 'nginx'), new Map([[ip, 1]]));
      assert.deepEqual(store.banCounts(asked), new Map([[ip, 3], ['203.0.113.6', 1]]));
      assert.deepEqual(store.banCounts([ip], 'postfix'), new Map());
      assert.deepEqual(store.banCounts([]), new Map());
      // Raw failure ids are the attacker's text: quotes, backslashes, brackets and other scripts are counted too.
      const hostile = ['user "x\\', "o'brien", '[1,2]', 'ünïcødé 名前'];
      store.addHistory(hostile.map((id) => ban({ ip: id, time: 1 })));
      assert.deepEqual(store.banCounts(hostile, 'sshd'), new Map(hostile.map((id) => [id, 1])));
      const many = Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
      store.addHistory([ban({ ip: many[4999]!, time: 1 })]);
      assert.deepEqual(store.banCounts(many, 'sshd'), new Map([[many[4999]!, 1]]));
    }));

    test('purgeHistory forgets ended bans older than the cut and keeps active ones', withStore((store) => {
      const ip = '192.0.2.1';
      store.addBan(ban({ ip, time: 100 }));
      store.removeBan('sshd', ip);
      store.addBan(ban({ ip, time: 500, banCount: 2 }));
      store.removeBan('sshd', ip);
      const oldButActive = ban({ ip, jail: 'nginx', time: 50, bantime: -1 });
      store.addBan(oldButActive);
      assert.equal(store.purgeHistory(200), 1);
      assert.deepEqual(store.banCounts([ip], 'sshd'), new Map([[ip, 1]]));
      assert.deepEqual(store.getBan('nginx', ip), oldButActive);
      assert.equal(store.purgeHistory(200), 0);
      assert.equal(store.purgeHistory(10_000), 1);
      assert.deepEqual(store.banCounts([ip]), new Map([[ip, 1]]));
    }));

    test('positions round-trip for files and the journal, and are replaced', withStore((store) => {
      const file = { kind: 'file', offset: 123_456, firstLineHash: 'a3f1c2', inode: 918_273 } as const;
      const fileNoInode = { kind: 'file', offset: 0, firstLineHash: '' } as const;
      const journal = { kind: 'journal', cursor: 's=6f1a;i=2b3;b=9c0;m=1;t=5f;x=77' } as const;
      store.setPosition('sshd:file:/var/log/auth.log', file);
      store.setPosition('nginx:file:/var/log/nginx/error.log', fileNoInode);
      store.setPosition('sshd:journal', journal);
      assert.deepStrictEqual(store.getPosition('sshd:file:/var/log/auth.log'), file);
      assert.deepStrictEqual(store.getPosition('nginx:file:/var/log/nginx/error.log'), fileNoInode);
      assert.deepStrictEqual(store.getPosition('sshd:journal'), journal);
      assert.equal(store.getPosition('unknown'), undefined);
      store.setPosition('sshd:file:/var/log/auth.log', { ...file, offset: 200_000 });
      assert.equal(store.getPosition('sshd:file:/var/log/auth.log')?.kind, 'file');
      assert.deepStrictEqual(store.getPosition('sshd:file:/var/log/auth.log'), { ...file, offset: 200_000 });
    }));

    test('setPosition refuses malformed positions with TypeError', withStore((store) => {
      const bad: unknown[] = [
        { kind: 'tape', offset: 1 },
        { kind: 'file', offset: -1, firstLineHash: 'x' },
        { kind: 'file', offset: 1.5, firstLineHash: 'x' },
        { kind: 'file', offset: 1 },
        { kind: 'journal', cursor: '' },
        null,
      ];
      for (const position of bad) {
        assert.throws(() => store.setPosition('src', position as never), TypeError, JSON.stringify(position));
      }
      assert.throws(() => store.setPosition('', { kind: 'journal', cursor: 'c' }), TypeError);
      assert.equal(store.getPosition('src'), undefined);
    }));

    test('addBans is all or nothing', withStore((store) => {
      const first = ban({ ip: '192.0.2.1' });
      const second = ban({ ip: '192.0.2.2' });
      store.addBans([first, second]);
      assert.deepEqual(store.activeBans(), [first, second]);
      const replacement = ban({ ip: '192.0.2.1', time: 1_800_000_000, banCount: 2 });
      const fresh = ban({ ip: '192.0.2.3' });
      assert.throws(() => store.addBans([replacement, fresh, ban({ ip: '' })]), TypeError);
      assert.deepEqual(store.activeBans(), [first, second]);
      assert.deepEqual(store.banCounts(['192.0.2.1']), new Map([['192.0.2.1', 1]]));
      store.addBans([]);
      assert.equal(store.activeBans().length, 2);
    }));

    test('addBan refuses malformed records with TypeError', withStore((store) => {
      const bad: Partial<Record<keyof BanRecord, unknown>>[] = [
        { jail: '' },
        { ip: 42 },
        { time: Number.NaN },
        { bantime: -5 },
        { bantime: Number.POSITIVE_INFINITY },
        { banCount: 0 },
        { banCount: 1.5 },
        { matches: 'one line' },
        { matches: [1] },
      ];
      for (const override of bad) {
        assert.throws(() => store.addBan(ban(override as Partial<BanRecord>)), TypeError, JSON.stringify(override));
      }
      assert.deepEqual(store.activeBans(), []);
    }));

    test('a closed store refuses work, and closing twice is harmless', () => {
      const store = makeStore();
      store.close();
      assert.throws(() => store.addBan(ban()));
      assert.throws(() => store.activeBans());
      assert.throws(() => store.getPosition('x'));
      store.close();
    });
  });
}
