import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isBanwardError } from '../errors.js';
import { BanTimePolicy, parseBantimeFactor, parseBantimeMultipliers } from './ban-time-policy.js';

// Expected numbers come from fail2ban 1.0.2's own evformula (server/jail.py setBanTimeExtra).
test('bantime.increment: default formula doubles per previous ban, capped at 2^20', () => {
  const policy = new BanTimePolicy({ increment: true });
  const cases: Array<[number, number]> = [[0, 600], [1, 1200], [2, 2400], [3, 4800], [4, 9600], [19, 314572800], [20, 629145600], [25, 629145600]];
  for (const [banCount, seconds] of cases) assert.equal(policy.nextBantime({ base: 600, banCount }), seconds, `count ${banCount}`);
});

test('bantime.multipliers: jail.conf examples', () => {
  const doubling = new BanTimePolicy({ increment: true, multipliers: parseBantimeMultipliers('1 2 4 8 16 32 64') });
  for (const [banCount, seconds] of [[1, 1200], [2, 2400], [6, 38400], [7, 38400], [10, 38400]] as const) {
    assert.equal(doubling.nextBantime({ base: 600, banCount }), seconds, `count ${banCount}`);
  }
  const minutes = new BanTimePolicy({ increment: true, multipliers: parseBantimeMultipliers('1 5 30 60 300 720 1440 2880') });
  for (const [banCount, seconds] of [[1, 300], [2, 1800], [3, 3600], [7, 172800], [50, 172800]] as const) {
    assert.equal(minutes.nextBantime({ base: 60, banCount }), seconds, `count ${banCount}`);
  }
});

test('bantime.formula: the "more aggressive" exponential example of jail.conf', () => {
  const policy = new BanTimePolicy({
    increment: true,
    factor: parseBantimeFactor('2.0 / 2.885385'),
    formula: 'ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)',
  });
  const expected = [1200.0014649367868, 2400.0058597507245, 4800.017579262904, 9600.046878063022];
  expected.forEach((seconds, i) => assert.ok(Math.abs(policy.nextBantime({ base: 600, banCount: i + 1 }) - seconds) < 1e-6, `count ${i + 1}`));
  // Never below the jail's bantime, as in fail2ban.
  assert.equal(new BanTimePolicy({ increment: true, formula: 'ban.Time / 10' }).nextBantime({ base: 600, banCount: 2 }), 600);
  assert.equal(new BanTimePolicy({ increment: true, factor: 3 }).nextBantime({ base: 600, banCount: 2 }), 7200);
});

test('bantime.maxtime caps, rndtime adds injected randomness, first and permanent bans unchanged', () => {
  const capped = new BanTimePolicy({ increment: true, maxtime: 3600 });
  assert.deepEqual([1, 2, 3, 4].map((banCount) => capped.nextBantime({ base: 600, banCount })), [1200, 2400, 3600, 3600]);
  const random = new BanTimePolicy({ increment: true, maxtime: 3600, rndtime: 600 });
  assert.deepEqual([1, 2, 3].map((banCount) => random.nextBantime({ base: 600, banCount, random: () => 0.25 })), [1350, 2550, 3750]);
  assert.equal(random.nextBantime({ base: 600, banCount: 0, random: () => 0.25 }), 600);
  assert.equal(random.nextBantime({ base: -1, banCount: 5, random: () => 0.25 }), -1);
  assert.equal(new BanTimePolicy({ increment: false }).nextBantime({ base: 600, banCount: 5 }), 600);
});

test('bantime options: bad factor, multipliers and formula are errors naming the value', () => {
  assert.throws(() => parseBantimeFactor('two'), (e: unknown) => isBanwardError(e) && /bantime.factor "two"/.test(e.message));
  assert.throws(() => parseBantimeFactor('0'), /must be above 0/);
  assert.throws(() => parseBantimeMultipliers('1 2 x'), /bantime.multipliers "1 2 x": "x" is not a number/);
  assert.throws(() => new BanTimePolicy({ formula: 'ban.Time * os.system(1)' }), /unknown function os.system/);
});
