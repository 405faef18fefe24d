import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findFail2banPython } from '../_fail2ban-python.js';

/** Appended to every oracle script: one JSON request a line in, one JSON answer a line out. */
const LOOP = String.raw`
import json as _json, sys as _sys
for _line in _sys.stdin:
    try:
        _out = handle(_json.loads(_line))
    except Exception as _e:
        _out = {'crash': '%s: %s' % (type(_e).__name__, _e)}
    _sys.stdout.write(_json.dumps(_out) + '\n')
    _sys.stdout.flush()
`;

/**
 * One long-lived python3 child answering JSON lines, for differential fuzzing against Python's own code
 * (re, ipaddress, fail2ban). `script` defines `handle(request) -> answer`; answers come back in order.
 */
export class PythonOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = '';

  constructor(script: string, module = 'fail2ban', env: Record<string, string> = {}) {
    const python = findFail2banPython(module);
    this.child = spawn(python, ['-c', script + LOOP], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC', PYTHONIOENCODING: 'utf-8', PYTHONUTF8: '1', ...env } });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.waiting.shift()?.resolve(JSON.parse(line));
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`python oracle exited (${code}): ${this.stderr}`));
    });
  }

  ask<T>(request: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(JSON.stringify(request) + '\n');
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
