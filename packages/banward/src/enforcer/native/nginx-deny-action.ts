import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../log/logger.js';
import { parseIp } from '../../net/ip-address.js';
import type { Checked } from '../../result.js';
import { elementKey, type Applied } from './_elements.js';
import { FileListAction } from './_file-list-action.js';
import { failure, firewallRunner, type Runner } from './_run.js';

export interface NginxDenyOptions {
  jail: string;
  /** The file nginx includes in its `geo` block. */
  file: string;
  /** The reload command as argv (`nginx -s reload`), run without a shell. */
  reload: readonly string[];
  ipv6prefix: number | null;
  clock: Clock;
  log: Logger;
  run?: Runner;
}

/** A word of the reload command: no quotes, spaces or shell characters (no shell would read them anyway). */
const WORD_RE = /^[A-Za-z0-9_./=:@%+,-]+$/;

/** `reload = nginx -s reload` as argv; a word outside WORD_RE is refused rather than guessed at. */
export function parseReload(text: string | undefined): Checked<string[]> {
  const argv = (text ?? 'nginx -s reload').trim().split(/\s+/).filter(Boolean);
  const bad = argv.find((w) => !WORD_RE.test(w));
  if (argv.length === 0 || bad !== undefined) return { ok: false, reason: `reload ${JSON.stringify(text)} is not a command of plain words (no quotes, no shell)` };
  return { ok: true, value: argv };
}

/** Whether the command can be run: an executable path, or a name found on PATH. */
export function commandFound(command: string, path = process.env['PATH'] ?? ''): boolean {
  const candidates = command.includes('/') ? [command] : path.split(delimiter).filter(isAbsolute).map((dir) => join(dir, command));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Behind a CDN or a reverse proxy the firewall sees the proxy, not the attacker; nginx, once its
 * realip module has put the client's address in $remote_addr, can refuse the address itself. The jail's
 * bans are `ADDR 1;` lines of a `geo` block's include — looked up in a radix tree, where a list of `deny`
 * lines would be checked one by one on every request — in the jail's marked block of the file (see
 * FileListAction). Each batch is one atomic
 * write and one reload (`reload`, default `nginx -s reload`, run without a shell). nginx's side:
 *
 *   geo $banward_banned { default 0; include /etc/nginx/banward-deny.conf; }
 *   server { ... if ($banward_banned) { return 403; } }
 */
export class NginxDenyAction extends FileListAction {
  readonly name = 'nginx-deny';
  private readonly run: Runner;

  constructor(private readonly options: NginxDenyOptions) {
    super({ jail: options.jail, file: options.file, clock: options.clock, log: options.log, ipv6prefix: options.ipv6prefix });
    this.run = options.run ?? firewallRunner();
  }

  protected formatLine(key: string): string {
    return `${key} 1;`;
  }

  protected parseLine(line: string): { key: string; family: 4 | 6 } | null {
    const m = /^(\S+) 1;$/.exec(line);
    const net = m ? parseIp(m[1]!) : null;
    return net ? { key: elementKey(net), family: net.family } : null;
  }

  /**
   * A file written but not reloaded: the batch failed, and the retry that follows (SetAction reads the
   * file back, finds it as it should be and writes nothing) must still reload.
   */
  private reloadPending = false;

  protected override async afterWrite(): Promise<void> {
    this.reloadPending = true;
    const [command, ...args] = this.options.reload;
    const r = await this.run(command!, args);
    if (!r.ok) throw failure(this.options.reload.join(' '), r);
    this.reloadPending = false;
  }

  protected override async read(): Promise<Applied> {
    const elements = await super.read();
    if (this.reloadPending) await this.afterWrite();
    return elements;
  }
}
