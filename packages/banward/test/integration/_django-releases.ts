/**
 * The Djangos django-banward is tested on, all under Debian 12's /usr/bin/python3: the system's python3-django
 * (3.2), and Debian 13's 4.2 LTS and sid's 5.2 LTS, which .ci/run unpacks (with their asgiref and sqlparse)
 * into private directories, never over the system's packages.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Debian's python3 with python3-django; a pyenv `python3` earlier on PATH usually has no Django.
export const PYTHON = '/usr/bin/python3';

export interface DjangoRelease {
  /** What `django.get_version()` must start with, e.g. "4.2". */
  series: string;
  /** e.g. "Debian 13's Django 4.2 LTS". */
  title: string;
  /** The unpacked tree's dist-packages, first on PYTHONPATH; undefined for the system's python3-django. */
  pythonPath: string | undefined;
}

function unpacked(series: string, suite: string, envName: string): DjangoRelease {
  const root = process.env[envName] ?? `/opt/banward-test/django-${series}`;
  return {
    series,
    title: `Django ${series} LTS from Debian ${suite} (${envName}=${root})`,
    pythonPath: join(root, 'usr/lib/python3/dist-packages'),
  };
}

export const DJANGO_RELEASES: readonly DjangoRelease[] = [
  { series: '3.2', title: 'Django 3.2 (Debian 12\'s python3-django)', pythonPath: undefined },
  unpacked('4.2', 'trixie', 'BANWARD_DJANGO_42'),
  unpacked('5.2', 'sid', 'BANWARD_DJANGO_52'),
];

/** `base` with PYTHONPATH naming the release's tree, or unset for the system's Django. */
export function djangoEnv(release: DjangoRelease, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, PYTHONDONTWRITEBYTECODE: '1' };
  if (release.pythonPath === undefined) delete env['PYTHONPATH'];
  else env['PYTHONPATH'] = release.pythonPath;
  return env;
}

/** Fails, saying how to get it, unless PYTHON imports exactly this release's Django: a missing tree is never a skip. */
export function requireDjango(release: DjangoRelease): void {
  if (release.pythonPath !== undefined && !existsSync(join(release.pythonPath, 'django', '__init__.py'))) {
    assert.fail(`${release.title} is not unpacked: run .ci/run, which fetches it from Debian's archive without installing it`);
  }
  const r = spawnSync(PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8', env: djangoEnv(release) });
  if (r.status !== 0) {
    assert.fail(`${PYTHON} cannot import django: install python3-django (apt-get install python3-django; .ci/run does)\n${r.stderr ?? r.error}`);
  }
  const version = r.stdout.trim();
  assert.ok(version.startsWith(`${release.series}.`), `${release.title}: ${PYTHON} imports Django ${version}`);
}
