import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';

/**
 * A python3 that can import fail2ban (Debian's /usr/bin/python3 with the fail2ban package), for tests
 * that compare banward with fail2ban's own code at run time. Missing is a failure, never a skip.
 */
export function findFail2banPython(module: string): string {
  const candidates = [process.env['BANWARD_PYTHON'], '/usr/bin/python3', 'python3'].filter(Boolean) as string[];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  assert.fail(
    `This test needs python3 with fail2ban importable (tried ${candidates.join(', ')}). ` +
      'Install the fail2ban package (apt-get install fail2ban) or set BANWARD_PYTHON.',
  );
}
