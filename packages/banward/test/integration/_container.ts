import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from './_daemon.js';

/** The Debian 12 tree with systemd that .ci/run debootstraps. */
export const SYSTEMD_TREE = process.env['BANWARD_SYSTEMD_TREE'] ?? '/opt/banward-test/bookworm-systemd';

/**
 * A Debian 12 system booted by systemd-nspawn from an ephemeral copy of SYSTEMD_TREE (thrown away at
 * shutdown), on a private network, with this machine's node bound read-only at /usr/bin/node and
 * `binds` (host path → container path) read-only. Commands run in it through nsenter, as root, with a
 * clean environment; they are the test's own text.
 */
export class BootedContainer {
  private constructor(private readonly nspawn: ChildProcess, private readonly leader: number) {}

  static async boot(binds: Readonly<Record<string, string>>): Promise<BootedContainer> {
    if (!existsSync(`${SYSTEMD_TREE}/usr/bin/systemctl`)) throw new Error(`no Debian tree with systemd at ${SYSTEMD_TREE}: bash .ci/run makes it`);
    const bindArgs = Object.entries({ '/usr/bin/node': '/usr/bin/node', ...binds }).map(([from, to]) => `--bind-ro=${from}:${to}`);
    // Its own machine name: two tests may boot copies of the tree at once.
    const machine = `banward-test-${randomBytes(4).toString('hex')}`;
    const nspawn = spawn('systemd-nspawn', ['--quiet', '--ephemeral', `--machine=${machine}`, '--register=no', '--keep-unit', '--private-network', ...bindArgs, '-D', SYSTEMD_TREE, '--boot'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    nspawn.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    nspawn.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const leader = await waitFor('the container\'s systemd', () => {
      if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn exited (${nspawn.exitCode}): ${output.join('')}`);
      const children = readFileSync(`/proc/${nspawn.pid!}/task/${nspawn.pid!}/children`, 'utf8').trim().split(' ').filter(Boolean);
      const pid = children.map(Number).find((p) => existsSync(`/proc/${p}/comm`) && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'systemd');
      return pid;
    });
    const container = new BootedContainer(nspawn, leader);
    await waitFor('the container to finish booting', () => /^(running|degraded)$/m.test(container.run('systemctl is-system-running || true').stdout), 60_000);
    return container;
  }

  /** Runs a shell script inside; returns its status and output. */
  run(script: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('nsenter', ['-t', String(this.leader), '-a', '--', 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', '/bin/sh', '-c', script], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Like run(), but throws with the output when the script fails. */
  sh(script: string): string {
    const r = this.run(script);
    if (r.status !== 0) throw new Error(`in the container: ${script}\nexit ${r.status}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** An orderly shutdown (systemd-nspawn turns TERM into one); the ephemeral copy goes with it. */
  async shutdown(): Promise<void> {
    if (this.nspawn.exitCode !== null) return;
    const exited = new Promise((resolve) => this.nspawn.once('exit', resolve));
    this.nspawn.kill('SIGTERM');
    const timer = setTimeout(() => this.nspawn.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
