import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { compareBanLogs } from './compare-logs.js';

test('issue 16: --compare lists bans one log has and the other has not; restores and look-alike lines are not bans', () => {
  const fail2ban = [
    '2026-12-02 06:00:00,001 fail2ban.actions        [1]: NOTICE  [sshd] Ban 192.0.2.1',
    '2026-12-02 06:00:00,002 fail2ban.actions        [1]: NOTICE  [sshd] Ban 192.0.2.2',
    '2026-12-02 06:00:00,003 fail2ban.actions        [1]: NOTICE  [sshd] Restore Ban 192.0.2.7',
    '2026-12-02 06:00:00,004 fail2ban.actions        [1]: NOTICE  [nginx] Ban 2001:DB8::0:1',
  ].join('\n');
  const banward = [
    '2026-12-02 06:00:00,010 banward NOTICE [sshd] Ban 192.0.2.1',
    '2026-12-02 06:00:00,011 banward NOTICE [sshd] Ban 192.0.2.3',
    '2026-12-02 06:00:00,012 banward NOTICE [nginx] Ban 2001:db8::1',
    '2026-12-02 06:00:00,013 banward INFO   [sshd] Found 192.0.2.9 - user "x [sshd] Ban 198.51.100.1"',
    '2026-12-02 06:00:00,014 banward NOTICE [sshd] Ban not-an-address',
  ].join('\n');
  assert.deepEqual(compareBanLogs(fail2ban, banward), {
    onlyFail2ban: { sshd: ['192.0.2.2'] },
    onlyBanward: { sshd: ['192.0.2.3'] },
    both: { nginx: 1, sshd: 1 },
  });
});
