import { Writable } from 'node:stream';
import { main } from './main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      into.push(String(chunk));
      done();
    },
  });
}

/** Runs `banward ...argv` in this process, its output captured (for the cli/ unit tests). */
export async function runCli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: sink(out), err: sink(err) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
