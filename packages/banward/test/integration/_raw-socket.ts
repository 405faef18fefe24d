import { readFileSync, readdirSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';

/** A reply line as the daemon writes it, read loosely so a test can check what is wrong with it. */
export interface RawReply {
  id: unknown;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/** A connection that writes whatever bytes a test wants and collects every line the daemon sends back. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  replies(): RawReply[];
  /** Resolves when the daemon (or the test) closed the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
}

export async function openRaw(path: string): Promise<RawConnection> {
  const socket = createConnection(path);
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // Writing after the daemon closed may reset; what it answered before is what a test checks.
  socket.on('error', () => undefined);
  const whenClosed = new Promise<void>((resolve) => socket.once('close', () => { closed = true; resolve(); }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error(`could not connect to ${path}`)));
  });
  const text = () => Buffer.concat(chunks).toString('utf8');
  return {
    socket, text, closed: whenClosed, isClosed: () => closed,
    replies: () => text().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as RawReply),
  };
}

/** Writes `payload` and half-closes, then returns every reply once the daemon has closed its side. */
export async function exchange(path: string, payload: string | Buffer): Promise<RawReply[]> {
  const connection = await openRaw(path);
  connection.socket.end(payload);
  await connection.closed;
  return connection.replies();
}

/** A process's resident memory in KiB, from /proc. */
export function residentKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** How many file descriptors a process has open (its sockets among them), from /proc. */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
